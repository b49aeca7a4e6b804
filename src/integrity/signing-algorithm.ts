/** The algorithm of every key that signs checkpoints: Ed25519 (no Node built-in here). */
export const SIGNING_ALGORITHM = 'EdDSA';
