import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestArguments } from '../../src/audit/args-digest.js';
import { AuditTrail } from '../../src/audit/audit-trail.service.js';
import type { AuditRecord } from '../../src/audit/audit.schemas.js';
import { createDataSource } from '../../src/database/data-source.js';
import { postMcp, postRpc } from '../helpers/mcp-client.js';
import { AUDIT_READ, CRM_READ, CRM_WRITE, SALES, startMcpFixture, type McpFixture } from '../helpers/mcp-fixture.js';
import { testDatabaseUrl } from '../helpers/test-app.js';

const call = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

describe('audit trail (issue 7.5): every MCP call, RPC call and REST write, readable by the own tenant under mcp:admin:audit:read', () => {
  let f: McpFixture;
  let seed: { accountId: string; opportunityId: string };
  // One client identity per test, so each test reads only its own rows.
  const actor = () => `auditee-${randomUUID().slice(0, 8)}`;
  const tokenOf = (subject: string, scope: string, tenant?: string, claims: Record<string, unknown> = {}) =>
    f.tokenFor(scope, tenant, { sub: subject, client_id: `${subject}-client`, ...claims });

  beforeAll(async () => {
    f = await startMcpFixture({ MCP_CONFORMANCE_FIXTURES: '1' });
    seed = await f.seedCrm(f.tenantA);
  });
  afterAll(() => f.close());

  /** Rows are queued off the hot path; a refused call's row is queued when its exchange closes. */
  async function flushAudit(): Promise<void> {
    await new Promise((done) => setTimeout(done, 50));
    await f.t.app.get(AuditTrail).flush();
  }

  async function rowsOf(subject: string, tenant = f.tenantA): Promise<AuditRecord[]> {
    await flushAudit();
    const response = await f.call('GET', `/api/v1/audit?actor=${subject}`, tokenOf('auditor', AUDIT_READ, tenant));
    expect(response.status).toBe(200);
    return ((await response.json()) as { data: AuditRecord[] }).data;
  }

  it('when MCP tools are called (done, failed, refused by the SDK, denied), then one row each with who, what, digest, outcome and latency', async () => {
    const subject = actor();
    const jti = randomUUID();
    const token = tokenOf(subject, CRM_READ, undefined, { jti });
    const okArgs = { accountId: seed.accountId };
    await postMcp(f.t.baseUrl, call(1, 'crm_get_account', okArgs), token);
    await postMcp(f.t.baseUrl, call(2, 'crm_get_account', { accountId: randomUUID() }), token);
    await postMcp(f.t.baseUrl, call(3, 'crm_get_account', { accountId: 'nope' }), token);
    await postMcp(f.t.baseUrl, call(4, 'crm_update_opportunity', { opportunityId: seed.opportunityId, amount: 1 }), token);

    const rows = await rowsOf(subject);
    expect(rows).toHaveLength(4);
    const byOutcome = Object.fromEntries(rows.map((row) => [`${row.name}:${row.outcome}`, row]));
    expect(Object.keys(byOutcome).sort()).toEqual(['crm_get_account:error', 'crm_get_account:ok', 'crm_get_account:rejected', 'crm_update_opportunity:denied']);
    expect(byOutcome['crm_get_account:ok']).toMatchObject({
      subject,
      clientId: `${subject}-client`,
      tokenId: jti,
      channel: 'mcp',
      kind: 'tool',
      argsDigest: digestArguments(okArgs),
      errorCode: null,
      httpStatus: null,
    });
    expect(byOutcome['crm_get_account:error'].errorCode).toBe('not_found');
    expect(byOutcome['crm_update_opportunity:denied'].errorCode).toBe('insufficient_scope');
    for (const row of rows) expect(row.latencyMs).toBeGreaterThanOrEqual(0);
    // Ids are time-ordered (UUIDv7: 48 bits of Unix ms, version 7), so the ever-growing table's
    // primary key takes new rows at the end of the tenant's range, not on random pages.
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const idMillis = parseInt(row.id.replace(/-/g, '').slice(0, 12), 16);
      expect(Math.abs(idMillis - Date.parse(row.occurredAt))).toBeLessThan(60_000);
    }
  });

  it('when a resource is read and a prompt is got, then each is recorded with its registry name', async () => {
    const subject = actor();
    const token = tokenOf(subject, SALES);
    await postMcp(f.t.baseUrl, { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'test://template/7/data' } }, token);
    await postMcp(f.t.baseUrl, { jsonrpc: '2.0', id: 2, method: 'prompts/get', params: { name: 'test_simple_prompt' } }, token);
    const rows = await rowsOf(subject);
    expect(rows.map((row) => `${row.kind} ${row.name} ${row.outcome}`).sort()).toEqual(['prompt test_simple_prompt ok', 'resource template ok']);
    expect(rows.find((row) => row.kind === 'resource')?.argsDigest).toBe(digestArguments({ uri: 'test://template/7/data' }));
  });

  it('when REST writes succeed, fail validation or are refused for scope, then each is recorded by route pattern and status; reads are not', async () => {
    const subject = actor();
    const writer = tokenOf(subject, `${CRM_READ} ${CRM_WRITE}`);
    const reader = tokenOf(subject, CRM_READ);
    const body = { name: `Audited ${subject}` };
    expect((await f.call('POST', '/api/v1/crm/accounts', writer, body)).status).toBe(201);
    expect((await f.call('POST', '/api/v1/crm/accounts', writer, { name: '' })).status).toBe(400);
    expect((await f.call('PATCH', `/api/v1/crm/accounts/${seed.accountId}`, reader, { name: 'x' })).status).toBe(403);
    expect((await f.call('GET', `/api/v1/crm/accounts/${seed.accountId}`, reader)).status).toBe(200);

    const rows = await rowsOf(subject);
    expect(rows.map((row) => `${row.name} ${row.httpStatus} ${row.outcome}`).sort()).toEqual([
      'PATCH /api/v1/crm/accounts/:id 403 denied',
      'POST /api/v1/crm/accounts 201 ok',
      'POST /api/v1/crm/accounts 400 rejected',
    ]);
    const created = rows.find((row) => row.httpStatus === 201)!;
    expect(created).toMatchObject({ channel: 'rest', kind: 'http', argsDigest: digestArguments({ params: {}, query: {}, body }) });
  });

  it('when a seed RPC method is called, then it is recorded under its MCP tool name on the rpc channel', async () => {
    const subject = actor();
    await postRpc(f.t.baseUrl, 'tools/crm', { method: 'crm/get_account', params: { accountId: seed.accountId } }, tokenOf(subject, CRM_READ));
    await postRpc(f.t.baseUrl, 'tools/crm', { method: 'crm/log_activity', params: {} }, tokenOf(subject, CRM_READ));
    const rows = await rowsOf(subject);
    expect(rows.map((row) => `${row.channel} ${row.name} ${row.outcome}`).sort()).toEqual(['rpc crm_get_account ok', 'rpc crm_log_activity denied']);
  });

  it('when the audit is read without mcp:admin:audit:read, then 403 insufficient_scope naming it', async () => {
    const response = await f.call('GET', '/api/v1/audit', tokenOf('curious', `${CRM_READ} ${CRM_WRITE} ${SALES}`));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain(`scope="${AUDIT_READ}"`);
  });

  it('when another tenant’s auditor reads the audit, then none of this tenant’s rows appear', async () => {
    const subject = actor();
    await postMcp(f.t.baseUrl, call(1, 'crm_get_account', { accountId: seed.accountId }), tokenOf(subject, CRM_READ));
    expect(await rowsOf(subject)).toHaveLength(1);
    expect(await rowsOf(subject, f.tenantB)).toEqual([]);
    const all = await f.call('GET', '/api/v1/audit?limit=200', tokenOf('auditor', AUDIT_READ, f.tenantB));
    const names = ((await all.json()) as { data: AuditRecord[] }).data.map((row) => row.subject);
    expect(names).not.toContain(subject);
  });

  it('when filtered by tool and time and paged with a cursor, then pages are disjoint, newest first, within the window', async () => {
    const subject = actor();
    const token = tokenOf(subject, CRM_READ);
    const from = new Date(Date.now() - 1000).toISOString();
    for (let index = 0; index < 5; index++) await postMcp(f.t.baseUrl, call(index, 'crm_get_account', { accountId: seed.accountId }), token);
    await postMcp(f.t.baseUrl, call(9, 'crm_search_accounts', {}), token);
    const to = new Date(Date.now() + 1000).toISOString();
    await flushAudit();
    const auditor = tokenOf('auditor', AUDIT_READ);
    const first = (await (await f.call('GET', `/api/v1/audit?actor=${subject}&tool=crm_get_account&from=${from}&to=${to}&limit=3`, auditor)).json()) as {
      data: AuditRecord[];
      nextCursor: string;
    };
    expect(first.data).toHaveLength(3);
    const second = (await (await f.call('GET', `/api/v1/audit?actor=${subject}&tool=crm_get_account&limit=3&cursor=${first.nextCursor}`, auditor)).json()) as {
      data: AuditRecord[];
      nextCursor: string | null;
    };
    expect(second.data).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const times = [...first.data, ...second.data].map((row) => row.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(new Set([...first.data, ...second.data].map((row) => row.id)).size).toBe(5);
    const outside = await f.call('GET', `/api/v1/audit?actor=${subject}&to=${from}`, auditor);
    expect(((await outside.json()) as { data: unknown[] }).data).toEqual([]);
    expect((await f.call('GET', '/api/v1/audit?cursor=forged', auditor)).status).toBe(400);
    expect((await f.call('GET', '/api/v1/audit?tenantId=other', auditor)).status).toBe(400);
  });

  it('when a row carries anything but 64 lowercase hex digits as its digest, then the database refuses it', async () => {
    const admin = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
    await admin.initialize();
    const insert = (digest: string | null) =>
      admin.query(
        `INSERT INTO audit_log (tenant_id, occurred_at, subject, client_id, channel, kind, name, args_digest, outcome, latency_ms)
         VALUES ($1, now(), $2, 'digest-check', 'mcp', 'tool', 'crm_get_account', $3, 'ok', 1)`,
        [f.tenantA, actor(), digest],
      );
    try {
      for (const bad of ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), `g${'a'.repeat(63)}`, `${'a'.repeat(63)} `, '']) {
        await expect(insert(bad), bad).rejects.toMatchObject({ driverError: { code: '23514', constraint: 'audit_log_args_digest_check' } });
      }
      await insert(digestArguments({ accountId: 'x' }));
      await insert(null);
    } finally {
      await admin.destroy();
    }
  });

  it('when rows are stored, then no bearer token is in them, and the application role can neither change nor delete them', async () => {
    const subject = actor();
    const token = tokenOf(subject, CRM_READ);
    await postMcp(f.t.baseUrl, call(1, 'crm_get_account', { accountId: seed.accountId }), token);
    await flushAudit();
    const admin = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
    const app = createDataSource({ url: testDatabaseUrl(), asAppRole: true, poolSize: 1 });
    await admin.initialize();
    await app.initialize();
    try {
      const rows: Record<string, unknown>[] = await admin.query('SELECT * FROM audit_log WHERE tenant_id = $1 AND subject = $2', [f.tenantA, subject]);
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token.split('.')[2]);
      expect(JSON.stringify(rows)).not.toContain(token.split('.')[1]);
      await expect(
        app.transaction(async (manager) => {
          await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [f.tenantA]);
          await manager.query(`UPDATE audit_log SET outcome = 'ok' WHERE subject = $1`, [subject]);
        }),
      ).rejects.toThrow(/permission denied/);
      await expect(
        app.transaction(async (manager) => {
          await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [f.tenantA]);
          await manager.query(`DELETE FROM audit_log WHERE subject = $1`, [subject]);
        }),
      ).rejects.toThrow(/permission denied/);
      // Row-level security: inside tenant B's context the row does not exist.
      const seenFromB = await app.transaction(async (manager) => {
        await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [f.tenantB]);
        return manager.query(`SELECT count(*)::int AS n FROM audit_log WHERE subject = $1`, [subject]);
      });
      expect(seenFromB[0].n).toBe(0);
    } finally {
      await admin.destroy();
      await app.destroy();
    }
  });
});
