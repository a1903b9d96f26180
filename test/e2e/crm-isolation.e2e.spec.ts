import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrmFixture, tenantSnapshot, READ, type CrmFixture } from '../helpers/crm-fixture.js';
import { json } from '../helpers/http.js';

const UNKNOWN_ID = '7d1c7a4e-9a51-4c39-8f0e-0c6f4d7b2a11';

describe('CRM tenant isolation: the repositories and RLS, each on its own (catalog T36, T37, T39, T40, T42)', () => {
  let f: CrmFixture;
  const b: Record<'account' | 'contact' | 'opportunity', string> = { account: '', contact: '', opportunity: '' };
  beforeAll(async () => {
    f = await startCrmFixture();
    const writeB = f.token(f.tenantB);
    b.account = (await json(await f.call('POST', '/api/v1/crm/accounts', writeB, { name: 'Zephyr B' }))).id;
    b.contact = (await json(await f.call('POST', '/api/v1/crm/contacts', writeB, { name: 'Bea', email: 'x@shared.example' }))).id;
    b.opportunity = (await json(await f.call('POST', '/api/v1/crm/opportunities', writeB, { name: 'B deal', amount: 7000000 }))).id;
    await f.call('POST', '/api/v1/crm/accounts', f.token(f.tenantA), { name: 'Alpha A' });
  });
  afterAll(() => f.close());

  it("T36: when tenant A reads B's ids, then the 404 is byte-identical to an unknown id's", async () => {
    const read = f.token(f.tenantA, READ);
    for (const kind of ['accounts', 'contacts', 'opportunities'] as const) {
      const id = b[kind === 'accounts' ? 'account' : kind === 'contacts' ? 'contact' : 'opportunity'];
      const other = await f.call('GET', `/api/v1/crm/${kind}/${id}`, read);
      const unknown = await f.call('GET', `/api/v1/crm/${kind}/${UNKNOWN_ID}`, read);
      expect(other.status).toBe(404);
      expect(unknown.status).toBe(404);
      const [otherBody, unknownBody] = [await other.text(), await unknown.text()];
      expect(otherBody).toBe(unknownBody);
      expect(other.headers.get('content-length')).toBe(unknown.headers.get('content-length'));
      expect(JSON.parse(otherBody).error).toBe('not_found');
    }
  });

  it("T37: when tenant A writes to B's records, then 404 and B's rows are untouched (no history, no activity)", async () => {
    const write = f.token(f.tenantA);
    const before = await tenantSnapshot(f.admin, f.tenantB);
    const attempts: [string, string, unknown][] = [
      ['PATCH', `/api/v1/crm/accounts/${b.account}`, { name: 'x' }],
      ['PATCH', `/api/v1/crm/contacts/${b.contact}`, { name: 'x' }],
      ['PATCH', `/api/v1/crm/opportunities/${b.opportunity}`, { stage: 'closed_won', version: 1 }],
      ['POST', `/api/v1/crm/opportunities/${b.opportunity}/activities`, { type: 'note', subject: 'x' }],
    ];
    for (const [method, path, body] of attempts) {
      const response = await f.call(method, path, write, body);
      expect(response.status, path).toBe(404);
    }
    expect(await tenantSnapshot(f.admin, f.tenantB)).toEqual(before);
  });

  it("T39/T46: when A searches or reuses B's unique values, then nothing of B appears and A's create succeeds", async () => {
    const read = f.token(f.tenantA, READ);
    expect((await json(await f.call('GET', '/api/v1/crm/accounts?q=Zephyr', read))).data).toEqual([]);
    const all = await json(await f.call('GET', '/api/v1/crm/opportunities?limit=200', read));
    expect(all.data.map((o: { id: string }) => o.id)).not.toContain(b.opportunity);
    const contact = await f.call('POST', '/api/v1/crm/contacts', f.token(f.tenantA), { name: 'Al', email: 'x@shared.example' });
    expect(contact.status).toBe(201);
  });

  it("T39: when A replays a cursor built from B's last row, then only A's rows come back", async () => {
    const [row] = await f.admin.query(`SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS c FROM accounts WHERE id = $1`, [b.account]);
    const cursor = Buffer.from(JSON.stringify([row.c, row.id])).toString('base64url');
    const page = await json(await f.call('GET', `/api/v1/crm/accounts?cursor=${cursor}`, f.token(f.tenantA, READ)));
    for (const account of page.data) expect(account.id).not.toBe(b.account);
  });

  it("T40: when A references B's account on create or update, then 422 and nothing is written", async () => {
    const write = f.token(f.tenantA);
    const before = await tenantSnapshot(f.admin, f.tenantA);
    const create = await f.call('POST', '/api/v1/crm/opportunities', write, { name: 'steal', accountId: b.account });
    expect(create.status).toBe(422);
    const contact = await f.call('POST', '/api/v1/crm/contacts', write, { name: 'c', accountId: b.account });
    expect(contact.status).toBe(422);
    expect(await tenantSnapshot(f.admin, f.tenantA)).toEqual(before);
  });

  it('T42: when a query forgets the tenant filter, then RLS alone limits it to the transaction tenant, and to nothing without one', async () => {
    const counts = await f.tenantDb.run(f.tenantA, async (manager) => {
      const rows: { tenant_id: string }[] = await manager.query('SELECT DISTINCT tenant_id FROM accounts');
      const opportunities: { tenant_id: string }[] = await manager.query('SELECT DISTINCT tenant_id FROM opportunities WHERE true');
      const updated = await manager.query(`UPDATE accounts SET name = 'hijack' WHERE id = $1 RETURNING id`, [b.account]);
      return { tenants: rows.map((row) => row.tenant_id), oppTenants: opportunities.map((row) => row.tenant_id), updated };
    });
    expect(counts.tenants).toEqual([f.tenantA]);
    expect(counts.oppTenants.every((tenant) => tenant === f.tenantA)).toBe(true);
    expect(counts.updated[0]).toEqual([]);
    // No tenant set at all: fail closed.
    const unset = await f.tenantDb.dataSource.query('SELECT count(*)::int AS n FROM accounts');
    expect(unset).toEqual([{ n: 0 }]);
    // WITH CHECK: inserting a row for B from A's context is refused.
    await expect(
      f.tenantDb.run(f.tenantA, (manager) => manager.query(`INSERT INTO accounts (tenant_id, name) VALUES ($1, 'planted')`, [f.tenantB])),
    ).rejects.toThrow(/row-level security/);
  });
});
