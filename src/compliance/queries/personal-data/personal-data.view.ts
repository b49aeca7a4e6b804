import { ApiProperty } from '@nestjs/swagger';
import { DECISION_CLASSES } from '../../../model-registry/model.events';

export class PersonalFieldView {
  @ApiProperty({ example: 'annual_income' }) name!: string;
  @ApiProperty({ example: 'financial', description: 'Kind of personal information' })
  category!: string;
  @ApiProperty({ example: false, description: 'Sensitive information (Privacy Act s 6)' })
  sensitive!: boolean;
}

export class TrainedModelVersionView {
  @ApiProperty({ example: 'credit-decision' }) model!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ format: 'uuid', description: 'The training run that read the dataset version' })
  runId!: string;
  @ApiProperty({ enum: DECISION_CLASSES }) decisionClass!: string;
  @ApiProperty({ description: 'Retired in the model registry' }) retired!: boolean;
}

export class TrainingRunRefView {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ example: 'credit-decision' }) model!: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed'] }) status!: string;
}

export class PersonalDataView {
  @ApiProperty({ example: 'credit-applications' }) name!: string;
  @ApiProperty({ example: '2026-01' }) version!: string;
  @ApiProperty({
    type: [String],
    example: ['financial', 'identity'],
    description: 'Kinds of personal information its personal fields hold, sorted',
  })
  kinds!: string[];
  @ApiProperty({ type: [PersonalFieldView], description: 'Its personal fields, in schema order' })
  personalFields!: PersonalFieldView[];
  @ApiProperty({ description: 'Holds sensitive information' }) sensitive!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'necessary to assess the application' })
  lawfulBasis!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'https://bank.example/privacy/notice-v5' })
  collectionNotice!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'credit assessment' })
  purpose!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'P7Y', description: 'ISO 8601 duration' })
  retention!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'PIA-2026-031' }) piaId!: string | null;
  @ApiProperty({ example: 'ap-southeast-2' }) region!: string;
  @ApiProperty({ enum: ['active', 'retired'] }) status!: string;
  @ApiProperty({ example: 250000 }) rows!: number;
  @ApiProperty({ type: String, format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ format: 'uuid', description: 'The DatasetVersionRegistered event' })
  eventId!: string;
  @ApiProperty({ type: [TrainingRunRefView], description: 'Runs that trained on it, oldest first' })
  trainingRuns!: TrainingRunRefView[];
  @ApiProperty({
    type: [TrainedModelVersionView],
    description: 'Model versions registered from those runs, by model then version',
  })
  modelVersions!: TrainedModelVersionView[];
}

export class PersonalDataPage {
  @ApiProperty({ type: [PersonalDataView], description: 'By dataset name, then version' })
  items!: PersonalDataView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `after` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

const RUN = '0195a3c1-7e0a-7000-8a00-0000000000b1';

/** The example OpenAPI shows for GET /privacy/personal-data. */
export const PERSONAL_DATA_EXAMPLE: PersonalDataPage = {
  items: [
    {
      name: 'credit-applications',
      version: '2026-01',
      kinds: ['financial', 'identity'],
      personalFields: [
        { name: 'annual_income', category: 'financial', sensitive: false },
        { name: 'age_band', category: 'identity', sensitive: false },
      ],
      sensitive: false,
      lawfulBasis: 'necessary to assess the credit application (APP 3.2)',
      collectionNotice: 'https://bank.example/privacy/credit-notice-v5',
      purpose: 'credit assessment',
      retention: 'P7Y',
      piaId: 'PIA-2026-031',
      region: 'ap-southeast-2',
      status: 'active',
      rows: 250000,
      registeredAt: '2026-01-05T09:00:00.000Z',
      eventId: '0195a3c1-7e0a-7000-8a00-0000000000e1',
      trainingRuns: [{ runId: RUN, model: 'credit-decision', status: 'completed' }],
      modelVersions: [
        {
          model: 'credit-decision',
          version: '1.0.0',
          runId: RUN,
          decisionClass: 'solely-automated',
          retired: false,
        },
      ],
    },
  ],
  nextCursor: null,
};
