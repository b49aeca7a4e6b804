import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiRead } from '../../../ledger/http/api-read.decorator';
import { AlertPath } from '../../commands/alert-path.request.dto';
import { AlertPage, AlertView } from './alert.view';
import { GetAlertQuery, ListAlertsQuery } from './alerts.query-handler';
import { ListAlertsRequest } from './list-alerts.request.dto';

@ApiTags('monitoring')
@AllowEveryRole()
@Controller('alerts')
export class AlertsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary:
      'Alerts (default: newest raised first), filtered by status, deployment, severity and kind',
  })
  @ApiRead()
  @ApiOkResponse({ type: AlertPage })
  list(@Query() request: ListAlertsRequest): Promise<AlertPage> {
    return this.queries.execute(new ListAlertsQuery(request));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One alert, with the signal that raised it and its resolution' })
  @ApiRead(404)
  @ApiOkResponse({ type: AlertView })
  get(@Param() { id }: AlertPath): Promise<AlertView> {
    return this.queries.execute(new GetAlertQuery(id));
  }
}
