import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiRead } from '../../../ledger/http/api-read.decorator';
import {
  DatasetPath,
  DatasetVersionPath,
} from '../../commands/register-dataset-version/register-dataset-version.request.dto';
import { DatasetVersionRow } from './dataset-version.read-model';
import {
  DatasetList,
  DatasetView,
  GetDatasetQuery,
  GetDatasetVersionQuery,
  ListDatasetsQuery,
} from './dataset-versions.query-handler';

@ApiTags('datasets')
@AllowEveryRole()
@Controller('datasets')
export class DatasetsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Every dataset, with its version count, latest version and regions' })
  @ApiRead()
  @ApiOkResponse({ type: DatasetList })
  list(): Promise<DatasetList> {
    return this.queries.execute(new ListDatasetsQuery());
  }

  @Get(':name')
  @ApiOperation({ summary: 'One dataset and all its versions' })
  @ApiRead(404)
  @ApiOkResponse({ type: DatasetView })
  get(@Param() { name }: DatasetPath): Promise<DatasetView> {
    return this.queries.execute(new GetDatasetQuery(name));
  }

  @Get(':name/versions/:version')
  @ApiOperation({
    summary: 'One dataset version: hash, schema flags, privacy facts, validations, profile',
  })
  @ApiRead(404)
  @ApiOkResponse({ type: DatasetVersionRow })
  version(@Param() { name, version }: DatasetVersionPath): Promise<DatasetVersionRow> {
    return this.queries.execute(new GetDatasetVersionQuery(name, version));
  }
}
