import { RecordsPersonalDataAccess } from '../../../access-log/personal-data-access';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ListDatasetsRequest } from './list-datasets.request.dto';
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

/** The versions whose schema lists personal fields: showing them is a personal-data read. */
function personal(versions: DatasetVersionRow[]): string[] {
  return versions.filter((v) => v.containsPersonalInformation).map((v) => `${v.name}@${v.version}`);
}

@ApiTags('datasets')
@AllowEveryRole()
@Controller('datasets')
export class DatasetsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Every dataset, with its version count, latest version and regions' })
  @ApiRead()
  @ApiOkResponse({ type: DatasetList })
  list(@Query() request: ListDatasetsRequest): Promise<DatasetList> {
    return this.queries.execute(new ListDatasetsQuery(request));
  }

  @Get(':name')
  @RecordsPersonalDataAccess('dataset-version', (body) => personal((body as DatasetView).versions))
  @ApiOperation({
    summary:
      'One dataset and all its versions; a read showing personal fields is recorded as PersonalDataAccessed',
  })
  @ApiRead(404)
  @ApiOkResponse({ type: DatasetView })
  get(@Param() { name }: DatasetPath): Promise<DatasetView> {
    return this.queries.execute(new GetDatasetQuery(name));
  }

  @Get(':name/versions/:version')
  @RecordsPersonalDataAccess('dataset-version', (body) => personal([body as DatasetVersionRow]))
  @ApiOperation({
    summary:
      'One dataset version: hash, schema flags, privacy facts, validations, profile; a read showing personal fields is recorded as PersonalDataAccessed',
  })
  @ApiRead(404)
  @ApiOkResponse({ type: DatasetVersionRow })
  version(@Param() { name, version }: DatasetVersionPath): Promise<DatasetVersionRow> {
    return this.queries.execute(new GetDatasetVersionQuery(name, version));
  }
}
