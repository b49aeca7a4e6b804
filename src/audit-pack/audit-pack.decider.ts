import type { Decider } from '../ledger/commands/decider';
import type { AuditPackEvent, AuditPackIssued } from './audit-pack.events';

/** Hand out a pack: its facts are those of the PDF the service has just written and signed. */
export type IssueAuditPack = { type: 'IssueAuditPack'; data: AuditPackIssued['data'] };

/** How many packs of the model were handed out so far. */
export type AuditPackState = { issued: number };

/**
 * The audit-pack stream's rule (docs/architecture.md, "The write path"): every pack handed out
 * is recorded, once (each generation names a new pack id). Nothing is refused here: whoever may
 * read a version's pack may be handed one.
 */
export const auditPackDecider: Decider<IssueAuditPack, AuditPackEvent, AuditPackState> = {
  initialState: () => ({ issued: 0 }),
  evolve: (state) => ({ issued: state.issued + 1 }),
  decide: (command) => [{ type: 'AuditPackIssued', data: command.data }],
};
