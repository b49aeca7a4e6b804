/**
 * node:crypto in the browser bundle of the pack verifier (README, "Console"): the shared rules
 * import hash-chain.ts for its canonical text only, and hash with WebCrypto through the
 * VerifierPlatform. Anything reaching for node:crypto here is a mistake, said loudly.
 */
export function hash(): never {
  throw new Error('node:crypto is not available in the browser: hash through WebCrypto');
}

export function createHash(): never {
  return hash();
}
