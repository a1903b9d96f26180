import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { testDatabaseUrl } from '../helpers/test-app.js';

const TENANT_TABLES = ['accounts', 'contacts', 'opportunities', 'opportunity_stage_history', 'activities', 'idempotency_keys'];

describe('CRM schema: row-level security and privileges (catalog T42)', () => {
  let app: DataSource;
  beforeAll(async () => {
    app = createDataSource({ url: testDatabaseUrl(), asAppRole: true, poolSize: 1 });
    await app.initialize();
  });
  afterAll(() => app.destroy());

  it('when connected as the app role, then it is neither superuser nor BYPASSRLS and owns no tenant table', async () => {
    const [role] = await app.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`);
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await app.query(
      `SELECT relname FROM pg_class WHERE relname = ANY($1) AND pg_get_userbyid(relowner) = current_user`,
      [TENANT_TABLES],
    );
    expect(owned).toEqual([]);
  });

  it('when listing tenant tables, then each has forced RLS and a tenant policy', async () => {
    const rows: { relname: string; forced: boolean; policies: number }[] = await app.query(
      `SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity AS forced,
              (SELECT count(*)::int FROM pg_policies p WHERE p.tablename = c.relname) AS policies
         FROM pg_class c WHERE c.relkind = 'r' AND c.relname = ANY($1) ORDER BY c.relname`,
      [TENANT_TABLES],
    );
    expect(rows.map((row) => row.relname).sort()).toEqual([...TENANT_TABLES].sort());
    for (const row of rows) expect(row, row.relname).toMatchObject({ forced: true, policies: 1 });
  });

  it('when checking privileges, then the app role may read and write CRM tables but not rewrite history', async () => {
    const rows: { t: string; sel: boolean; ins: boolean; upd: boolean }[] = await app.query(
      `SELECT t, has_table_privilege(current_user, t, 'SELECT') AS sel, has_table_privilege(current_user, t, 'INSERT') AS ins,
              has_table_privilege(current_user, t, 'UPDATE') AS upd FROM unnest($1::text[]) AS t`,
      [TENANT_TABLES],
    );
    for (const row of rows) {
      expect(row.sel && row.ins, row.t).toBe(true);
      expect(row.upd, row.t).toBe(row.t !== 'opportunity_stage_history');
    }
  });

  it('when migrated by a superuser, then ILIKE is leakproof so q searches can use trigram indexes under RLS', async () => {
    // Without it Postgres evaluates ILIKE only after the policy, as a filter over the tenant's
    // whole index (bench/crm-list.bench.ts: 4.9 s instead of 13 ms at 1M opportunities).
    const [{ superuser }] = await app.query(`SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = session_user`);
    const [{ leakproof }] = await app.query(`SELECT proleakproof AS leakproof FROM pg_proc WHERE oid = 'pg_catalog.texticlike(text, text)'::regprocedure`);
    expect(leakproof).toBe(superuser);
  });
});
