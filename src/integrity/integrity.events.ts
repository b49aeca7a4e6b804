import type { JsonObject } from '../ledger/event-log.port';
import type { SignedCheckpointFields } from './checkpoint';

/** A checkpoint the service signed: the JWS, and what it says, for readers without jose. */
export interface LedgerCheckpointSigned {
  type: 'LedgerCheckpointSigned';
  data: SignedCheckpointFields;
}

/** A signing key's public half, recorded the first time the key signs: the JWKS comes from these. */
export interface LedgerSigningKeyActivated {
  type: 'LedgerSigningKeyActivated';
  data: { keyId: string; publicJwk: JsonObject; activatedAt: string };
}

export type IntegrityEvent = LedgerCheckpointSigned | LedgerSigningKeyActivated;

export const INTEGRITY_EVENT_TYPES = ['LedgerCheckpointSigned', 'LedgerSigningKeyActivated'];
