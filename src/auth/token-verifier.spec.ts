import { MEMORY_DATA_DIR, loadConfig } from '../config/app-config';
import { DevIssuer } from './dev-issuer';
import { TokenVerifier } from './token-verifier';

describe('TokenVerifier remembering verified tokens', () => {
  const start = new Date('2026-11-27T00:00:00Z');
  let issuer: DevIssuer;
  let verifier: TokenVerifier;

  beforeEach(async () => {
    jest.useFakeTimers({ now: start, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const config = loadConfig({ AUTH_CLOCK_TOLERANCE_SECONDS: '0' }).auth;
    issuer = await DevIssuer.open(MEMORY_DATA_DIR, config.issuer, config.audience);
    verifier = await TokenVerifier.create(config, issuer);
  });
  afterEach(() => jest.useRealTimers());

  it('refuses a remembered token once it has expired', async () => {
    const token = await issuer.sign({ sub: 'ci', roles: ['pipeline'] }, '30s');
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({
      sub: 'ci',
      roles: ['pipeline'],
    });
    jest.setSystemTime(new Date(start.getTime() + 20_000));
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ sub: 'ci' });
    jest.setSystemTime(new Date(start.getTime() + 31_000));
    await expect(verifier.verify(`Bearer ${token}`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('never remembers a token that failed, nor one altered after a good one', async () => {
    const token = await issuer.sign({ sub: 'ci', roles: ['pipeline'] }, '5m');
    await verifier.verify(`Bearer ${token}`);
    const [header, payload] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        roles: ['admin'],
      }),
    ).toString('base64url');
    const signature = token.split('.')[2];
    await expect(verifier.verify(`Bearer ${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });
});
