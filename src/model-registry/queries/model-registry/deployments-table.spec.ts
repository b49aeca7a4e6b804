import { deploymentsOf } from './deployments-table';

const failingWith = (error: unknown) => ({ query: () => Promise.reject(error) });

describe('reading the deployments table', () => {
  it('reads a missing table (undefined_table) as no deployments', async () => {
    const missing = Object.assign(new Error('relation "deployments" does not exist'), {
      driverError: { code: '42P01' },
    });
    await expect(deploymentsOf(failingWith(missing), 'credit-risk')).resolves.toEqual([]);
    await expect(deploymentsOf(failingWith({ code: '42P01' }), 'credit-risk')).resolves.toEqual([]);
  });

  it('lets any other failure through', async () => {
    const down = Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' });
    await expect(deploymentsOf(failingWith(down), 'credit-risk')).rejects.toBe(down);
  });

  it('asks for the model’s rows only', async () => {
    const calls: unknown[][] = [];
    const rows = [{ deploymentId: 'credit-risk.production' }];
    const source = {
      query: (sql: string, parameters: unknown[]) => {
        calls.push([sql, parameters]);
        return Promise.resolve(rows);
      },
    };
    await expect(deploymentsOf(source, 'credit-risk')).resolves.toBe(rows);
    expect(calls[0][1]).toEqual(['credit-risk']);
  });
});
