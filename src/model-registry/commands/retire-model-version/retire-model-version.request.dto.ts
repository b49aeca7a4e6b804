import { ReasonRequest } from '../../../ledger/commands/reason.request.dto';

export class RetireModelVersionRequest extends ReasonRequest {}
