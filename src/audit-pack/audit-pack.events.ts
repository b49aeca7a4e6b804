import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';

/**
 * An audit pack (the signed PDF of a model version) was handed out (README, "Audit packs"). It
 * names who asked by their token's `sub`, as every event's actor does, and nothing else about
 * them; the pack itself is not in the ledger, only its digest and size.
 */
export const AuditPackIssuedEvent = defineEvent({
  type: 'AuditPackIssued',
  schema: z.object({
    /** The Attest-Pack-Id header of the PDF: its evidence bundle is kept under it. */
    packId: z.uuid(),
    model: z.string(),
    version: z.string(),
    /** SHA-256 of the signed PDF as handed out, hex (the Attest-Content-SHA256 header). */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Size of the signed PDF in bytes. */
    bytes: z.number().int().nonnegative(),
    /** Events the pack cites, and the size of the signed tree that holds them all. */
    citedEvents: z.number().int().nonnegative(),
    treeSize: z.number().int().nonnegative(),
    /** The token `sub` of who asked for it (API or console). */
    issuedBy: z.string(),
    issuedAt: z.iso.datetime({ offset: true }),
  }),
});
export type AuditPackIssued = EventOf<typeof AuditPackIssuedEvent>;

/** Everything stored in an `audit-pack-<model>` stream. */
export type AuditPackEvent = AuditPackIssued;
