import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../src/database/data-source.js';
import { startAuthFixture } from '../helpers/auth-fixture.js';
import { testDatabaseUrl } from '../helpers/test-app.js';
import { tenantCli } from '../helpers/tenant-cli.js';
import { uniqueTenantId } from '../helpers/tenants.js';

async function tenantRow(id: string): Promise<{ id: string; name: string } | undefined> {
  const dataSource = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
  await dataSource.initialize();
  try {
    const rows: { id: string; name: string }[] = await dataSource.query('SELECT id, name FROM tenants WHERE id = $1', [id]);
    return rows[0];
  } finally {
    await dataSource.destroy();
  }
}

describe('npm run tenant -- create <id> "<name>" (CONTRACT.md Tenants)', () => {
  const created: string[] = [];
  afterAll(async () => {
    const dataSource = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
    await dataSource.initialize();
    await dataSource.query('DELETE FROM tenants WHERE id = ANY($1)', [created]);
    await dataSource.destroy();
  });

  it('when the npm script is read, then it builds and runs this compiled CLI', async () => {
    const scripts = JSON.parse(await readFile('package.json', 'utf8')).scripts as Record<string, string>;
    expect(scripts.tenant).toMatch(/&& node dist\/auth\/tenants\/tenant\.cli\.js$/);
  });

  it('when a new id and a name are given, then the tenant is created with that name, and a token naming it is accepted', async () => {
    const id = uniqueTenantId('tenant-cli');
    created.push(id);
    const result = await tenantCli('create', id, 'Initech GmbH & Co. "KG"');
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`created tenant ${id}`);
    expect(await tenantRow(id)).toEqual({ id, name: 'Initech GmbH & Co. "KG"' });

    const f = await startAuthFixture();
    try {
      const response = await f.get('/probe/crm', f.token({ claims: { org_id: id } }));
      expect(response.status).toBe(200);
    } finally {
      await f.close();
    }
  }, 60_000);

  it('when the id exists already, then it says so, exits 0, and keeps the original name', async () => {
    const id = uniqueTenantId('tenant-cli');
    created.push(id);
    expect((await tenantCli('create', id, 'First')).code).toBe(0);
    const again = await tenantCli('create', id, 'Second');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`tenant ${id} already exists`);
    expect((await tenantRow(id))?.name).toBe('First');
  }, 60_000);

  it('when the id is not what a token could carry (blank, spaces, slash, quote, leading dash, too long), then exit 2 and nothing is written', async () => {
    for (const id of [' ', 'a b', 'tenant/a', "a';DROP TABLE tenants;--", '-leading-dash', '.hidden', 'x'.repeat(129), 'ténant']) {
      const result = await tenantCli('create', id, 'Bad');
      expect(result.code, id).toBe(2);
      // A leading dash reads as an option: refused by the argument parser, with the usage line.
      expect(result.stderr).toMatch(id.startsWith('-') ? /usage: npm run tenant/ : /must match/);
      expect(await tenantRow(id)).toBeUndefined();
    }
  }, 60_000);

  it('when the command, id or name is missing or unknown, then exit 2 with the usage line', async () => {
    for (const args of [[], ['create'], ['create', 'tenant-x'], ['delete', 'tenant-x', 'X'], ['create', 'tenant-x', '']]) {
      const result = await tenantCli(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('usage: npm run tenant -- create <id> "<name>"');
    }
  }, 60_000);
});
