import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPPORTUNITY_CLOSE_DATE_SLIPPED, OPPORTUNITY_STAGE_CHANGED } from '../../src/crm/crm.events.js';
import { startCrmFixture, tenantSnapshot, type CrmFixture } from '../helpers/crm-fixture.js';
import { hubspotDealsCsv } from '../helpers/crm-import-data.js';
import { json } from '../helpers/http.js';
import { mavenDataDir } from '../helpers/shared-data.js';

const MAVEN = join(mavenDataDir(), 'sales_pipeline.csv');
const mavenPath = process.env.MAVEN_PIPELINE_CSV ?? MAVEN;

describe('CRM bulk import (CSV, NDJSON, JSON; mappings; all-or-nothing)', () => {
  let f: CrmFixture;
  let write: string;
  beforeAll(async () => {
    f = await startCrmFixture();
    write = f.token(f.tenantA);
  });
  afterAll(() => f.close());

  const post = (body: string, type: string, query = '', headers: Record<string, string> = {}, token = write) =>
    f.call('POST', `/api/v1/crm/import${query}`, token, body, { 'content-type': type, ...headers });

  it('when the Maven pipeline export is imported with the maven mapping, then the counts match SOURCES.md', async () => {
    const response = await post(readFileSync(mavenPath, 'utf8'), 'text/csv', '?mapping=maven', {}, f.token(f.tenantB));
    const report = await json(response);
    expect(response.status, JSON.stringify(report).slice(0, 500)).toBe(200);
    expect(report).toMatchObject({ rows: 8800, created: 8800, updated: 0, rejectedCount: 0, accountsCreated: 85 });
    const stages = await f.admin.query(`SELECT stage, count(*)::int AS n FROM opportunities WHERE tenant_id = $1 GROUP BY stage ORDER BY stage`, [f.tenantB]);
    expect(stages).toEqual([
      { stage: 'closed_lost', n: 2473 },
      { stage: 'closed_won', n: 4238 },
      { stage: 'prospecting', n: 500 },
      { stage: 'qualification', n: 1589 },
    ]);
    const [won] = await f.admin.query(`SELECT sum(amount)::text AS revenue FROM opportunities WHERE tenant_id = $1 AND stage = 'closed_won'`, [f.tenantB]);
    expect(won.revenue).toBe('10005534.00');
    const [noAccount] = await f.admin.query(`SELECT count(*)::int AS n FROM opportunities WHERE tenant_id = $1 AND account_id IS NULL`, [f.tenantB]);
    expect(noAccount.n).toBe(1425);
    // Closed deals get two history rows (opened, closed), open ones one: the pipeline can be rebuilt as of any date.
    const [history] = await f.admin.query(`SELECT count(*)::int AS n FROM opportunity_stage_history WHERE tenant_id = $1`, [f.tenantB]);
    expect(history.n).toBe(8800 + 4238 + 2473);
    // The same file again changes nothing.
    const again = await json(await post(readFileSync(mavenPath, 'utf8'), 'text/csv', '?mapping=maven', {}, f.token(f.tenantB)));
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 8800, accountsCreated: 0 });
  });

  it('when a 10k-row HubSpot export is imported with the hubspot preset, then every row lands with mapped stages', async () => {
    const started = Date.now();
    const response = await post(hubspotDealsCsv(10_000), 'text/csv; charset=utf-8', '?mapping=hubspot');
    const report = await json(response);
    expect(response.status, JSON.stringify(report).slice(0, 500)).toBe(200);
    expect(report).toMatchObject({ rows: 10_000, created: 10_000, rejectedCount: 0, accountsCreated: 8 });
    const [row] = await f.admin.query(
      `SELECT name, amount::text, stage, probability, close_date::text AS close_date, owner FROM opportunities WHERE tenant_id = $1 AND external_id = 'HS-5'`,
      [f.tenantA],
    );
    expect(row).toEqual({ name: 'Deal 5, Wayne Enterprises', amount: '40595.00', stage: 'closed_lost', probability: 0, close_date: '2025-06-06', owner: 'owner5@example.com' });
    const stages = await f.admin.query(
      `SELECT stage FROM opportunities WHERE tenant_id = $1 AND external_id LIKE 'HS-%' GROUP BY stage HAVING count(*) >= 1666 ORDER BY stage`,
      [f.tenantA],
    );
    expect(stages.map((s: { stage: string }) => s.stage)).toEqual(['closed_lost', 'closed_won', 'negotiation', 'proposal', 'prospecting', 'qualification']);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('when one row of a CSV is bad, then 422 names it and nothing at all is written', async () => {
    const before = await tenantSnapshot(f.admin, f.tenantA);
    const lines = hubspotDealsCsv(3000, 'BAD').split('\r\n');
    lines[2500] = 'BAD-2500,Broken deal,12.345,closedwon,2025-13-40,x,2024-01-01,Hooli,default';
    const response = await post(lines.join('\r\n'), 'text/csv', '?mapping=hubspot');
    expect(response.status).toBe(422);
    const body = await json(response);
    expect(body.report).toMatchObject({ rows: 3000, created: 0, rejectedCount: 1 });
    expect(body.report.rejected).toEqual([{ row: 2500, reasons: [expect.stringMatching(/^amount:/), expect.stringMatching(/^closeDate:/)] }]);
    expect(await tenantSnapshot(f.admin, f.tenantA)).toEqual(before);
  });

  it('when an existing deal is re-imported with a new stage, then it is updated with history and events after commit', async () => {
    const first = await json(await post('externalId,name,stage,amount,closeDate\r\nUP-1,Upsert me,proposal,100,2030-01-31\r\n', 'text/csv'));
    expect(first).toMatchObject({ created: 1 });
    const emitter = f.t.app.get(EventEmitter2);
    const events: [string, Record<string, unknown>][] = [];
    const onStage = (payload: Record<string, unknown>) => events.push([OPPORTUNITY_STAGE_CHANGED, payload]);
    const onSlip = (payload: Record<string, unknown>) => events.push([OPPORTUNITY_CLOSE_DATE_SLIPPED, payload]);
    emitter.on(OPPORTUNITY_STAGE_CHANGED, onStage);
    emitter.on(OPPORTUNITY_CLOSE_DATE_SLIPPED, onSlip);
    const second = await json(await post('{"externalId":"UP-1","name":"Upsert me","stage":"closed_won","amount":150,"closeDate":"2030-02-28"}\n', 'application/x-ndjson'));
    emitter.off(OPPORTUNITY_STAGE_CHANGED, onStage);
    emitter.off(OPPORTUNITY_CLOSE_DATE_SLIPPED, onSlip);
    expect(second).toMatchObject({ created: 0, updated: 1 });
    expect(events).toEqual([
      [OPPORTUNITY_STAGE_CHANGED, expect.objectContaining({ tenantId: f.tenantA, from: 'proposal', to: 'closed_won', amount: 150, closeDate: '2030-02-28' })],
      [OPPORTUNITY_CLOSE_DATE_SLIPPED, expect.objectContaining({ from: '2030-01-31', to: '2030-02-28' })],
    ]);
    const history = await f.admin.query(
      `SELECT h.from_stage, h.to_stage, h.from_close_date::text AS f, h.close_date::text AS t, h.source FROM opportunity_stage_history h
         JOIN opportunities o ON o.tenant_id = h.tenant_id AND o.id = h.opportunity_id WHERE o.external_id = 'UP-1' AND o.tenant_id = $1 ORDER BY h.id`,
      [f.tenantA],
    );
    expect(history).toEqual([
      { from_stage: null, to_stage: 'proposal', f: null, t: '2030-01-31', source: 'import' },
      { from_stage: 'proposal', to_stage: 'closed_won', f: '2030-01-31', t: '2030-02-28', source: 'import' },
    ]);
  });

  it('when a JSON array is posted with a custom mapping, then columns and values are mapped', async () => {
    const mapping = JSON.stringify({ columns: { externalId: 'ref', name: 'title', stage: 'phase', amount: 'value' }, values: { stage: { Gewonnen: 'closed_won' } } });
    const response = await f.call('POST', `/api/v1/crm/import?mapping=${encodeURIComponent(mapping)}`, write, [{ ref: 'J-1', title: 'Json deal', phase: 'gewonnen', value: '€ 1,200.50' }]);
    expect(await json(response)).toMatchObject({ created: 1 });
    const [row] = await f.admin.query(`SELECT stage, amount::text FROM opportunities WHERE tenant_id = $1 AND external_id = 'J-1'`, [f.tenantA]);
    expect(row).toEqual({ stage: 'closed_won', amount: '1200.50' });
  });

  it('when a JSON array is larger than the 1 MB JSON limit, then it streams in whole (the rest of the API keeps the limit)', async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => ({ externalId: `BIG-${i}`, name: `Big JSON deal number ${i} with a long enough name`, stage: 'proposal', amount: 1000 + i, closeDate: '2031-06-30' }));
    const body = JSON.stringify(rows);
    expect(body.length).toBeGreaterThan(1_200_000);
    const response = await post(body, 'application/json');
    const report = await json(response);
    expect(response.status, JSON.stringify(report).slice(0, 300)).toBe(200);
    expect(report).toMatchObject({ rows: 12_000, created: 12_000, rejectedCount: 0 });
    const [{ n }] = await f.admin.query(`SELECT count(*)::int AS n FROM opportunities WHERE tenant_id = $1 AND external_id LIKE 'BIG-%'`, [f.tenantA]);
    expect(n).toBe(12_000);
    const elsewhere = await f.call('POST', '/api/v1/crm/accounts', write, body, { 'content-type': 'application/json' });
    expect(elsewhere.status).toBe(413);
  });

  it('when a JSON import is cut short, not JSON, or not an array, then 400 naming the body and nothing is written', async () => {
    for (const body of ['[{"externalId":"CUT-1","name":"a"},{"externalId":"CUT-2","na', 'externalId,name', '{"externalId":"CUT-3","name":"an object"}']) {
      const response = await post(body, 'application/json');
      const answer = await json(response);
      expect(response.status, body).toBe(400);
      expect(answer, body).toMatchObject({ error: 'validation_error', issues: [{ path: 'body' }] });
    }
    const [{ n }] = await f.admin.query(`SELECT count(*)::int AS n FROM opportunities WHERE tenant_id = $1 AND external_id LIKE 'CUT-%'`, [f.tenantA]);
    expect(n).toBe(0);
  });

  it('when an import is retried with its Idempotency-Key, then the first report comes back; another body with the key is 422', async () => {
    const csv = 'externalId,name\r\nIK-1,Keyed\r\n';
    const first = await post(csv, 'text/csv', '', { 'idempotency-key': 'import-1' });
    const firstText = await first.text();
    expect(JSON.parse(firstText)).toMatchObject({ created: 1 });
    const retry = await post(csv, 'text/csv', '', { 'idempotency-key': 'import-1' });
    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(firstText);
    const other = await post('externalId,name\r\nIK-2,Other\r\n', 'text/csv', '', { 'idempotency-key': 'import-1' });
    expect(other.status).toBe(422);
    const [count] = await f.admin.query(`SELECT count(*)::int AS n FROM opportunities WHERE tenant_id = $1 AND external_id LIKE 'IK-%'`, [f.tenantA]);
    expect(count.n).toBe(1);
  });

  it('when the content type, mapping or a duplicate id is wrong, then the import is refused', async () => {
    expect((await post('x', 'text/plain')).status).toBe(415);
    expect((await post('externalId,name\r\n', 'text/csv', '?mapping=nosuch')).status).toBe(400);
    const duplicate = await json(await post('externalId,name\r\nD-1,a\r\nD-1,b\r\n', 'text/csv'));
    expect(duplicate.report.rejected).toEqual([{ row: 2, reasons: ['externalId: duplicates row 1'] }]);
    const short = await json(await post('externalId,name,stage\r\nS-1,a\r\n', 'text/csv'));
    expect(short.report?.rejectedCount ?? short).toBe(1);
    expect((await post('externalId,name\r\nR-1,a\r\n', 'text/csv', '', {}, f.token(f.tenantA, 'mcp:tools:crm:read'))).status).toBe(403);
  });
});
