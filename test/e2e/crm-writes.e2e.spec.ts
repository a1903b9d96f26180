import { EventEmitter2 } from '@nestjs/event-emitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPPORTUNITY_CLOSE_DATE_SLIPPED, OPPORTUNITY_STAGE_CHANGED } from '../../src/crm/crm.events.js';
import { startCrmFixture, tenantSnapshot, type CrmFixture } from '../helpers/crm-fixture.js';
import { json } from '../helpers/http.js';

describe('CRM writes: idempotency keys, optimistic locking, stage history and events (catalog T83–T85, T87, T88)', () => {
  let f: CrmFixture;
  let write: string;
  beforeAll(async () => {
    f = await startCrmFixture();
    write = f.token(f.tenantA);
  });
  afterAll(() => f.close());

  const countOpportunities = async (name: string) =>
    (await f.admin.query(`SELECT count(*)::int AS n FROM opportunities WHERE tenant_id = $1 AND name = $2`, [f.tenantA, name]))[0].n;

  it('T83: when a POST is retried with the same key and body, then the first status and body come back and one row exists', async () => {
    const body = { name: 'Idem deal', amount: 100 };
    const first = await f.call('POST', '/api/v1/crm/opportunities', write, body, { 'idempotency-key': 'key-1' });
    const firstText = await first.text();
    for (let i = 0; i < 3; i++) {
      const retry = await f.call('POST', '/api/v1/crm/opportunities', write, { amount: 100, name: 'Idem deal' }, { 'idempotency-key': 'key-1' });
      expect(retry.status).toBe(first.status);
      expect(await retry.text()).toBe(firstText);
    }
    expect(first.status).toBe(201);
    expect(await countOpportunities('Idem deal')).toBe(1);
  });

  it('T84: when the same key comes with another body or on another operation, then 422 and nothing is written', async () => {
    await f.call('POST', '/api/v1/crm/opportunities', write, { name: 'Reuse', amount: 1 }, { 'idempotency-key': 'key-2' });
    const before = await tenantSnapshot(f.admin, f.tenantA);
    const other = await f.call('POST', '/api/v1/crm/opportunities', write, { name: 'Reuse', amount: 2 }, { 'idempotency-key': 'key-2' });
    expect(other.status).toBe(422);
    expect((await json(other)).error).toBe('idempotency_key_reused');
    const elsewhere = await f.call('POST', '/api/v1/crm/accounts', write, { name: 'Reuse' }, { 'idempotency-key': 'key-2' });
    expect(elsewhere.status).toBe(422);
    expect(await tenantSnapshot(f.admin, f.tenantA)).toEqual(before);
  });

  it('T83/T85: when 10 identical requests race with a fresh key, then one executes and the others get 409 or its replay', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => f.call('POST', '/api/v1/crm/opportunities', write, { name: 'Race deal' }, { 'idempotency-key': 'key-race' })),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    const bodies = await Promise.all(responses.map((response) => json(response)));
    const ids = new Set(bodies.filter((_, i) => statuses[i] === 201).map((body) => body.id));
    expect(ids.size).toBe(1);
    expect(await countOpportunities('Race deal')).toBe(1);
  });

  it('T44: when tenant B sends the same key, then B gets its own execution, never A’s stored response', async () => {
    const a = await json(await f.call('POST', '/api/v1/crm/accounts', write, { name: 'Shared key A' }, { 'idempotency-key': 'k-123' }));
    const b = await f.call('POST', '/api/v1/crm/accounts', f.token(f.tenantB), { name: 'Shared key B' }, { 'idempotency-key': 'k-123' });
    expect(b.status).toBe(201);
    const bBody = await json(b);
    expect(bBody.id).not.toBe(a.id);
    expect(bBody.name).toBe('Shared key B');
  });

  it('T87: when a keyed request fails validation, then the key is not used up; malformed keys are 400', async () => {
    const bad = await f.call('POST', '/api/v1/crm/accounts', write, { name: '' }, { 'idempotency-key': 'key-3' });
    expect(bad.status).toBe(400);
    const good = await f.call('POST', '/api/v1/crm/accounts', write, { name: 'Fixed' }, { 'idempotency-key': 'key-3' });
    expect(good.status).toBe(201);
    for (const key of ['', 'x'.repeat(256), 'has space']) {
      const response = await f.call('POST', '/api/v1/crm/accounts', write, { name: 'k' }, { 'idempotency-key': key });
      expect(response.status, JSON.stringify(key)).toBe(400);
    }
  });

  it('T88: when an update carries a stale version (body or If-Match), then 409 with the current version and nothing written', async () => {
    const created = await json(await f.call('POST', '/api/v1/crm/accounts', write, { name: 'Lock me' }));
    const first = await f.call('PATCH', `/api/v1/crm/accounts/${created.id}`, write, { name: 'Locked 2' }, { 'if-match': '"1"' });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    const before = await tenantSnapshot(f.admin, f.tenantA);
    const stale = await f.call('PATCH', `/api/v1/crm/accounts/${created.id}`, write, { name: 'Lost update', version: 1 });
    expect(stale.status).toBe(409);
    expect(await json(stale)).toMatchObject({ error: 'conflict', currentVersion: 2 });
    const staleHeader = await f.call('PATCH', `/api/v1/crm/accounts/${created.id}`, write, { name: 'Lost update' }, { 'if-match': '"1"' });
    expect(staleHeader.status).toBe(409);
    const disagree = await f.call('PATCH', `/api/v1/crm/accounts/${created.id}`, write, { name: 'x', version: 2 }, { 'if-match': '"1"' });
    expect(disagree.status).toBe(400);
    expect(await tenantSnapshot(f.admin, f.tenantA)).toEqual(before);
  });

  it('T88: when 20 updates race with the same version, then exactly one wins', async () => {
    const opportunity = await json(await f.call('POST', '/api/v1/crm/opportunities', write, { name: 'Contended' }));
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => f.call('PATCH', `/api/v1/crm/opportunities/${opportunity.id}`, write, { amount: i + 1, version: 1 })),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const [row] = await f.admin.query(`SELECT version FROM opportunities WHERE id = $1`, [opportunity.id]);
    expect(row.version).toBe(2);
  });

  it('when the stage changes and the close date slips, then history rows are written and events fire after commit', async () => {
    const emitter = f.t.app.get(EventEmitter2);
    const seen: { name: string; payload: Record<string, unknown>; committed: number }[] = [];
    const listen = (name: string) => async (payload: Record<string, unknown>) => {
      // Recorded in emission order, before the query (their answers may come back in any order).
      const entry = { name, payload, committed: -1 };
      seen.push(entry);
      // A separate connection sees the history row only if the transaction has committed.
      const [row] = await f.admin.query(`SELECT count(*)::int AS n FROM opportunity_stage_history WHERE opportunity_id = $1`, [payload.opportunityId]);
      entry.committed = row.n;
    };
    const onStage = listen(OPPORTUNITY_STAGE_CHANGED);
    const onSlip = listen(OPPORTUNITY_CLOSE_DATE_SLIPPED);
    emitter.on(OPPORTUNITY_STAGE_CHANGED, onStage);
    emitter.on(OPPORTUNITY_CLOSE_DATE_SLIPPED, onSlip);
    try {
      const created = await json(await f.call('POST', '/api/v1/crm/opportunities', write, { name: 'Mover', amount: 5000, closeDate: '2031-01-31' }));
      const moved = await json(await f.call('PATCH', `/api/v1/crm/opportunities/${created.id}`, write, { stage: 'negotiation', closeDate: '2031-03-31', version: 1 }));
      expect(moved).toMatchObject({ stage: 'negotiation', probability: 75, forecastCategory: 'commit', version: 2 });
      const won = await json(await f.call('PATCH', `/api/v1/crm/opportunities/${created.id}`, write, { stage: 'closed_won' }));
      expect(won.closedAt).not.toBeNull();
      await new Promise((done) => setTimeout(done, 100));
      expect(seen.map((event) => event.name)).toEqual([OPPORTUNITY_STAGE_CHANGED, OPPORTUNITY_CLOSE_DATE_SLIPPED, OPPORTUNITY_STAGE_CHANGED]);
      expect(seen[0]!.payload).toMatchObject({
        tenantId: f.tenantA, opportunityId: created.id, from: 'prospecting', to: 'negotiation', amount: 5000, closeDate: '2031-03-31', changedBy: `user-of-${f.tenantA}`,
      });
      expect(seen[1]!.payload).toMatchObject({ from: '2031-01-31', to: '2031-03-31' });
      expect(seen[0]!.committed).toBeGreaterThanOrEqual(2);
      const history = await f.admin.query(
        `SELECT from_stage, to_stage, from_close_date::text AS f, close_date::text AS t FROM opportunity_stage_history WHERE opportunity_id = $1 ORDER BY id`,
        [created.id],
      );
      expect(history).toEqual([
        { from_stage: null, to_stage: 'prospecting', f: null, t: '2031-01-31' },
        { from_stage: 'prospecting', to_stage: 'negotiation', f: '2031-01-31', t: '2031-03-31' },
        { from_stage: 'negotiation', to_stage: 'closed_won', f: '2031-03-31', t: '2031-03-31' },
      ]);
    } finally {
      emitter.off(OPPORTUNITY_STAGE_CHANGED, onStage);
      emitter.off(OPPORTUNITY_CLOSE_DATE_SLIPPED, onSlip);
    }
  });
});
