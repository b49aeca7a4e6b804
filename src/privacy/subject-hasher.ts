import { createHmac } from 'node:crypto';

export const SUBJECT_REF = /^hmac-sha256:[0-9a-f]{64}$/;

/**
 * Turns a data subject's identifier into the keyed hash that stands for them in the ledger
 * (docs/design.md §3). The identifier is trimmed and otherwise taken as given, case included: callers
 * must send one subject's identifier in one canonical form (e.g. a customer number, or an e-mail
 * address lower-cased by them), or two requests of the same person get two refs.
 */
export class SubjectHasher {
  constructor(private readonly pepper: string) {}

  /** `hmac-sha256:<64 hex>`: HMAC-SHA-256 keyed with the pepper's UTF-8 bytes. */
  ref(subjectId: string): string {
    const digest = createHmac('sha256', Buffer.from(this.pepper, 'utf8'))
      .update(subjectId.trim(), 'utf8')
      .digest('hex');
    return `hmac-sha256:${digest}`;
  }
}
