import {
  CompactSign,
  type JSONWebKeySet,
  type KeyLike,
  compactVerify,
  createLocalJWKSet,
} from 'jose';
import { SIGNING_ALGORITHM } from './signing-algorithm';

/** What a signed checkpoint commits to: the tree of the first `treeSize` events of this log. */
export interface CheckpointPayload {
  logId: string;
  treeSize: number;
  /** RFC 9162 root hash of that tree, lower-case hex. */
  rootHash: string;
  /** When it was signed (ISO 8601, UTC). */
  timestamp: string;
}

/** A checkpoint as recorded and handed out: what it says, which key signed it, and the JWS. */
export interface SignedCheckpointFields extends CheckpointPayload {
  keyId: string;
  jws: string;
}

export const CHECKPOINT_TYPE = 'attest-checkpoint+jws';

/** A compact JWS (EdDSA) over the checkpoint's JSON, naming the key by its thumbprint. */
export async function signCheckpoint(
  payload: CheckpointPayload,
  key: { privateKey: KeyLike; kid: string },
): Promise<string> {
  const body = JSON.stringify({
    logId: payload.logId,
    treeSize: payload.treeSize,
    rootHash: payload.rootHash,
    timestamp: payload.timestamp,
  });
  return new CompactSign(new TextEncoder().encode(body))
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: CHECKPOINT_TYPE })
    .sign(key.privateKey);
}

export class CheckpointRejected extends Error {}

/**
 * The checkpoint a JWS carries, if one of `jwks`'s keys signed it; otherwise CheckpointRejected
 * says why (unknown key, bad signature, not a checkpoint).
 */
export async function verifyCheckpoint(
  jws: string,
  jwks: JSONWebKeySet,
): Promise<{ payload: CheckpointPayload; kid: string }> {
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(jws, createLocalJWKSet(jwks), {
      algorithms: [SIGNING_ALGORITHM],
    });
  } catch (error) {
    throw new CheckpointRejected(
      `the checkpoint signature does not verify against the given keys (${(error as Error).message})`,
    );
  }
  if (verified.protectedHeader.typ !== CHECKPOINT_TYPE) {
    throw new CheckpointRejected(
      `the JWS is not a checkpoint (typ ${verified.protectedHeader.typ})`,
    );
  }
  const payload = JSON.parse(new TextDecoder().decode(verified.payload)) as CheckpointPayload;
  if (
    typeof payload.logId !== 'string' ||
    !Number.isSafeInteger(payload.treeSize) ||
    payload.treeSize < 0 ||
    !/^[0-9a-f]{64}$/.test(payload.rootHash) ||
    typeof payload.timestamp !== 'string'
  ) {
    throw new CheckpointRejected('the checkpoint payload is malformed');
  }
  return { payload, kid: String(verified.protectedHeader.kid) };
}
