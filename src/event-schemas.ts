/**
 * Every capability's event definitions, registered with the ledger's schema registry by importing
 * them (README, "Event schemas"): the app module imports this file, so whenever the app or a CLI
 * built on it runs, every event type in the catalog is checked on append and on read. The ledger
 * itself imports no capability; a type the catalog names without a schema stops the start here.
 */
import './access-log/access-log.events';
import './approvals/approval.events';
import './audit-pack/audit-pack.events';
import './datasets/dataset.events';
import './deployments/deployment.events';
import './evaluation/evaluation-policy.events';
import './integrity/integrity.events';
import './model-registry/model.events';
import './monitoring/monitoring-policy.events';
import './monitoring/monitoring.events';
import './predictions/prediction.events';
import './privacy/deletion-request.events';
import './retraining/retraining.events';
import './training-runs/training-run.events';
import { EVENT_TYPES } from './ledger/event-catalog';
import { assertRegistered } from './ledger/events/event-registry';

assertRegistered(EVENT_TYPES);
