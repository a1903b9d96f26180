import { randomBytes } from 'node:crypto';
import { createDataSource } from '../../src/database/data-source.js';
import { testDatabaseUrl } from './test-app.js';

/** A tenant id unique to this test run, so parallel test files never share data. */
export function uniqueTenantId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Creates tenants as the table owner and returns a cleanup that deletes them (and, by cascade, their rows). */
export async function createTenants(...ids: string[]): Promise<() => Promise<void>> {
  const dataSource = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
  await dataSource.initialize();
  for (const id of ids) await dataSource.query('INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [id]);
  await dataSource.destroy();
  return async () => {
    const cleanup = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
    await cleanup.initialize();
    await cleanup.query('DELETE FROM tenants WHERE id = ANY($1)', [ids]);
    await cleanup.destroy();
  };
}
