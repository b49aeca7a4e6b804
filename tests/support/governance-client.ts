import type { Role } from '../../src/auth/roles';
import type { TestApp } from './test-app';

type Method = 'post' | 'put' | 'patch';

/**
 * People calling the API over a seeded history: each person's token, the write that must have
 * answered as expected, and reads that wait for the last write (X-Ledger-Position).
 */
export class GovernanceClient {
  private readonly tokens = new Map<string, string>();
  /** The ledgerPosition of the last write, sent with every read. */
  position = '';

  constructor(
    private readonly test: TestApp,
    /** An X-Correlation-Id per person, when a test checks where events came from. */
    private readonly correlationId?: (who: string) => string,
  ) {}

  async signIn(people: readonly (readonly [string, Role[]])[]): Promise<void> {
    for (const [sub, roles] of people) this.tokens.set(sub, await this.test.token(sub, roles));
  }

  bearer(who: string): string {
    const token = this.tokens.get(who);
    if (!token) throw new Error(`${who} has not signed in`);
    return `Bearer ${token}`;
  }

  /** A write that must answer `status` (201 for POST, else 200); its body. */
  async send<Body = { id: string; ledgerPosition: string; eventIds: string[] }>(
    who: string,
    path: string,
    body: object,
    options: { method?: Method; status?: number } = {},
  ): Promise<Body & Record<string, unknown>> {
    const method = options.method ?? 'post';
    const status = options.status ?? (method === 'post' ? 201 : 200);
    const client = this.test.anonymous();
    let call = client[method](`/api/v1${path}`).set('Authorization', this.bearer(who));
    if (this.correlationId) call = call.set('X-Correlation-Id', this.correlationId(who));
    const response = await call.send(body);
    expect({ path, status: response.status, body: response.body }).toMatchObject({ path, status });
    if (response.body?.ledgerPosition) this.position = response.body.ledgerPosition;
    return response.body;
  }

  /** A read as `who`, once projections have passed the last write. */
  get(who: string, path: string) {
    return this.test
      .anonymous()
      .get(`/api/v1${path}`)
      .set('Authorization', this.bearer(who))
      .set('X-Ledger-Position', this.position);
  }

  async read<Body = Record<string, unknown>>(who: string, path: string): Promise<Body> {
    return (await this.get(who, path).expect(200)).body as Body;
  }
}
