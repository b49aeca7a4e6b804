import { ReasonRequest } from '../../../ledger/commands/reason.request.dto';

export class FailTrainingRunRequest extends ReasonRequest {}
