import { Controller, Get, Query } from '@nestjs/common';
import { RecordsPersonalDataAccess } from '../../../access-log/personal-data-access';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { ApiRead } from '../../../ledger/http/api-read.decorator';
import { PersonalDataQuery } from './personal-data.query-handler';
import { PersonalDataRequest } from './personal-data.request.dto';
import { PERSONAL_DATA_EXAMPLE, PersonalDataPage } from './personal-data.view';

/** docs/design.md §7 "deletion requests, policy": the privacy side is for compliance, admins and regulators. */
@ApiTags('privacy')
@Allow('compliance-officer', 'admin', 'regulator')
@Controller('privacy/personal-data')
export class PersonalDataHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  // It lists personal fields, as the dataset views do: each page shown is recorded.
  @RecordsPersonalDataAccess('dataset-version', (body) =>
    (body as PersonalDataPage).items.map((item) => `${item.name}@${item.version}`),
  )
  @ApiOperation({
    summary:
      'Dataset versions holding personal information, and the model versions trained on them',
    description:
      'For each dataset version with a personal field: the kinds of personal information, its personal fields, the sensitive flag, lawful basis, collection notice, purpose, retention, PIA id, region and status (APP 1, 3, 6, 11), with the training runs that read it and the model versions registered from those runs. Each page that lists dataset versions is recorded as PersonalDataAccessed.',
  })
  @ApiRead()
  @ApiOkResponse({ type: PersonalDataPage, example: PERSONAL_DATA_EXAMPLE })
  list(@Query() request: PersonalDataRequest): Promise<PersonalDataPage> {
    return this.queries.execute(new PersonalDataQuery({ region: request.region }, request));
  }
}
