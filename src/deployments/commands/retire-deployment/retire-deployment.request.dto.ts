import { ReasonRequest } from '../../../ledger/commands/reason.request.dto';

export class RetireDeploymentRequest extends ReasonRequest {}
