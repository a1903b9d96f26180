import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrmFixture, tenantSnapshot, READ, type CrmFixture } from '../helpers/crm-fixture.js';
import { json } from '../helpers/http.js';

describe('CRM REST: create, get, list, search, paginate, validate', () => {
  let f: CrmFixture;
  let write: string;
  let accountId: string;
  beforeAll(async () => {
    f = await startCrmFixture();
    write = f.token(f.tenantA);
    const response = await f.call('POST', '/api/v1/crm/accounts', write, { name: 'Zephyr Labs', domain: 'zephyr.example', segment: 'enterprise', region: 'EMEA' });
    accountId = (await json(response)).id;
  });
  afterAll(() => f.close());

  it('when an account is created, then 201 with server-owned fields and an ETag; GET returns the same', async () => {
    const response = await f.call('POST', '/api/v1/crm/accounts', write, { name: 'Initech', segment: 'smb', region: 'North America', owner: 'ana' });
    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toBe('"1"');
    const created = await json(response);
    expect(created).toMatchObject({ name: 'Initech', segment: 'smb', region: 'North America', owner: 'ana', version: 1, externalId: null });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const fetched = await f.call('GET', `/api/v1/crm/accounts/${created.id}`, f.token(f.tenantA, READ));
    expect(fetched.status).toBe(200);
    expect(await json(fetched)).toEqual(created);
  });

  it('when an opportunity is created without stage or probability, then defaults come from the stage and a history row is written', async () => {
    const response = await f.call('POST', '/api/v1/crm/opportunities', write, { name: 'Zephyr renewal', accountId, amount: '12500.50', closeDate: '2030-03-31' });
    expect(response.status).toBe(201);
    const opportunity = await json(response);
    expect(opportunity).toMatchObject({ stage: 'prospecting', probability: 10, forecastCategory: 'pipeline', amount: 12500.5, currency: 'USD', closeDate: '2030-03-31', closedAt: null, version: 1 });
    const history = await f.admin.query(`SELECT from_stage, to_stage, amount, close_date::text AS close_date FROM opportunity_stage_history WHERE opportunity_id = $1`, [opportunity.id]);
    expect(history).toEqual([{ from_stage: null, to_stage: 'prospecting', amount: '12500.50', close_date: '2030-03-31' }]);
  });

  it('when a contact and an activity are created, then they link to the account and opportunity', async () => {
    const contact = await f.call('POST', '/api/v1/crm/contacts', write, { name: 'Zoe Park', email: 'Zoe@Zephyr.example', accountId, title: 'CFO' });
    expect(contact.status).toBe(201);
    expect(await json(contact)).toMatchObject({ email: 'zoe@zephyr.example', accountId });
    const opportunity = await json(await f.call('POST', '/api/v1/crm/opportunities', write, { name: 'Zephyr upsell', accountId }));
    const activity = await f.call('POST', `/api/v1/crm/opportunities/${opportunity.id}/activities`, write, { type: 'call', subject: 'Discovery call' });
    expect(activity.status).toBe(201);
    expect(await json(activity)).toMatchObject({ type: 'call', opportunityId: opportunity.id, accountId, createdBy: `user-of-${f.tenantA}` });
  });

  it('when searching with q, then matches are case-insensitive substrings and % is literal', async () => {
    const read = f.token(f.tenantA, READ);
    const hits = await json(await f.call('GET', '/api/v1/crm/accounts?q=ZEPHYR', read));
    expect(hits.data.map((a: { name: string }) => a.name)).toEqual(['Zephyr Labs']);
    const none = await json(await f.call('GET', `/api/v1/crm/accounts?q=${encodeURIComponent('%')}`, read));
    expect(none.data).toEqual([]);
    const filtered = await json(await f.call('GET', '/api/v1/crm/opportunities?stage=prospecting,negotiation&region=EMEA', read));
    expect(filtered.data.map((o: { name: string }) => o.name).sort()).toEqual(['Zephyr renewal', 'Zephyr upsell']);
  });

  it('when paging with a cursor while rows are inserted, then every row is seen once and new rows do not shift pages', async () => {
    for (let i = 0; i < 7; i++) await f.call('POST', '/api/v1/crm/contacts', write, { name: `Pager ${i}` });
    const read = f.token(f.tenantA, READ);
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const query: string = `/api/v1/crm/contacts?q=Pager&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const body = await json(await f.call('GET', query, read));
      seen.push(...body.data.map((c: { name: string }) => c.name));
      cursor = body.nextCursor;
      if (page++ === 0) await f.call('POST', '/api/v1/crm/contacts', write, { name: 'Pager new' });
    } while (cursor);
    expect(seen).toEqual(['Pager 6', 'Pager 5', 'Pager 4', 'Pager 3', 'Pager 2', 'Pager 1', 'Pager 0']);
  });

  it('when limit or cursor are malformed, then 400 (never a full-table answer)', async () => {
    const read = f.token(f.tenantA, READ);
    for (const query of ['limit=0', 'limit=201', 'limit=1e9', 'limit=0x10', 'limit=-1', 'limit=1&limit=2', 'cursor=bm90LWEtY3Vyc29y', 'tenantId=x', 'stage=won']) {
      const response = await f.call('GET', `/api/v1/crm/opportunities?${query}`, read);
      expect(response.status, query).toBe(400);
      expect((await json(response)).error).toBe('validation_error');
    }
  });

  it('T47: when a PATCH carries server-owned or unknown fields, then 400 names them and nothing is written', async () => {
    const before = await tenantSnapshot(f.admin, f.tenantA);
    const body =
      `{"name":"ok","tenantId":"${f.tenantB}","orgId":"x","id":"00000000-0000-4000-8000-000000000000","createdAt":"1970-01-01T00:00:00Z",` +
      `"deletedAt":null,"isAdmin":true,"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}`;
    const response = await f.call('PATCH', `/api/v1/crm/accounts/${accountId}`, write, body, { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    const error = await json(response);
    const paths = error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['body.tenantId', 'body.orgId', 'body.id', 'body.createdAt', 'body.deletedAt', 'body.isAdmin', 'body.__proto__', 'body.constructor']));
    expect(await tenantSnapshot(f.admin, f.tenantA)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const create = await f.call('POST', '/api/v1/crm/opportunities', write, { name: 'x', tenantId: f.tenantB, version: 3, closedAt: '2020-01-01T00:00:00Z' });
    expect(create.status).toBe(400);
  });

  it('when the token lacks crm:write, then a POST is 403 and writes nothing', async () => {
    const before = await tenantSnapshot(f.admin, f.tenantA);
    const response = await f.call('POST', '/api/v1/crm/accounts', f.token(f.tenantA, READ), { name: 'nope' });
    expect(response.status).toBe(403);
    expect(await tenantSnapshot(f.admin, f.tenantA)).toEqual(before);
  });
});
