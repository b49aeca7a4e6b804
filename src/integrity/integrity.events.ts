import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';
import { jsonObject } from '../ledger/events/json-schemas';
import type { SignedCheckpointFields } from './checkpoint';

/** A checkpoint the service signed: the JWS, and what it says, for readers without jose. */
export const LedgerCheckpointSignedEvent = defineEvent({
  type: 'LedgerCheckpointSigned',
  schema: z.object({
    logId: z.string(),
    treeSize: z.number(),
    /** RFC 9162 root hash of that tree, lower-case hex. */
    rootHash: z.string(),
    /** When it was signed (ISO 8601, UTC). */
    timestamp: z.string(),
    keyId: z.string(),
    jws: z.string(),
  }) satisfies z.ZodType<SignedCheckpointFields>,
});
export type LedgerCheckpointSigned = EventOf<typeof LedgerCheckpointSignedEvent>;

/** A signing key's public half, recorded the first time the key signs: the JWKS comes from these. */
export const LedgerSigningKeyActivatedEvent = defineEvent({
  type: 'LedgerSigningKeyActivated',
  schema: z.object({ keyId: z.string(), publicJwk: jsonObject, activatedAt: z.string() }),
});
export type LedgerSigningKeyActivated = EventOf<typeof LedgerSigningKeyActivatedEvent>;

export type IntegrityEvent = LedgerCheckpointSigned | LedgerSigningKeyActivated;

export const INTEGRITY_EVENT_TYPES = ['LedgerCheckpointSigned', 'LedgerSigningKeyActivated'];
