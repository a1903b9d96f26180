import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../src/auth/scope.js';
import { startNotifyFixture, type NotifyFixture } from '../helpers/notify-fixture.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';

// No worker here (the default under NODE_ENV=test): what is sent stays pending, so the tests
// see exactly what the send transaction wrote.
describe('sending notifications (REST, scope notifications:send)', () => {
  let f: NotifyFixture;
  let destinationId: string;
  const rows = async (tenant: string) => {
    const [counts] = await f.owner.query(
      `SELECT (SELECT count(*) FROM notifications WHERE tenant_id = $1)::int AS notifications,
              (SELECT count(*) FROM notification_outbox WHERE tenant_id = $1)::int AS outbox`,
      [tenant],
    );
    return counts as { notifications: number; outbox: number };
  };

  beforeAll(async () => {
    f = await startNotifyFixture({ NOTIFY_ALLOW_LOCAL_HOSTS: '127.0.0.2', NOTIFY_RATE_LIMIT: '5', NOTIFY_RATE_WINDOW_SECONDS: '86400' });
    destinationId = (await f.createDestination({ type: 'webhook', name: 'alerts', url: 'http://127.0.0.2:9/alerts' })).id;
    await f.createDestination({ type: 'webhook', name: 'alerts', url: 'http://127.0.0.2:9/b' }, f.tenantB);
  });
  afterAll(() => f?.close());

  it('when a notification is sent, then 202 answers its id and the notification and its outbox row exist together', async () => {
    const before = await rows(f.tenantB);
    const response = await f.call('POST', '/notifications', { tenant: f.tenantB, body: { destination: 'alerts', subject: 'Deal at risk', text: 'Acme renewal slipped', data: { amount: 1200 } } });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'pending' });
    expect(await rows(f.tenantB)).toEqual({ notifications: before.notifications + 1, outbox: before.outbox + 1 });
    const [outbox] = await f.owner.query(`SELECT tenant_id, attempts, max_attempts FROM notification_outbox WHERE notification_id = $1`, [response.body.id]);
    expect(outbox).toMatchObject({ tenant_id: f.tenantB, attempts: 0, max_attempts: 8 });

    const read = await f.call('GET', `/notifications/${response.body.id}`, { tenant: f.tenantB });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: response.body.id,
      status: 'pending',
      destination: { name: 'alerts' },
      source: 'api',
      subject: 'Deal at risk',
      severity: 'info',
      data: { amount: 1200 },
      attempts: [],
    });
  });

  it.each([
    ['destination', { destination: 'https://evil.example/hook' }],
    ['destination', { destination: 'ops@evil.example' }],
    ['destination', { destination: '10.0.0.5:8080' }],
    ['url', { destination: 'alerts', url: 'https://evil.example/hook' }],
    ['to', { destination: 'alerts', to: ['user-b1@tenantB.example'] }],
  ])('when the request carries a raw address (%s), then 400 names that field and nothing is written', async (field, extra) => {
    const before = await rows(f.tenantA);
    const response = await f.call('POST', '/notifications', { body: { subject: 'x', ...extra } });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation_error');
    expect(response.body.issues.map((issue: { path: string }) => issue.path)).toContain(`body.${field}`);
    expect(await rows(f.tenantA)).toEqual(before);
  });

  it('when the token lacks notifications:send, then 403 names the scope and nothing is written', async () => {
    const before = await rows(f.tenantA);
    for (const scopes of [[Scope.CrmRead], [Scope.NotificationsManage]]) {
      const response = await f.call('POST', '/notifications', { scopes, body: { destination: 'alerts', subject: 'x' } });
      expect(response.status).toBe(403);
      expect(response.body.error).toBe('insufficient_scope');
      expect(response.headers.get('www-authenticate')).toContain(`scope="${Scope.NotificationsSend}"`);
    }
    expect((await f.call('GET', `/notifications/${randomUUID()}`, { scopes: [Scope.CrmRead] })).status).toBe(403);
    expect(await rows(f.tenantA)).toEqual(before);
  });

  it('when a destination is unknown, disabled or another tenant\'s, then nothing is queued', async () => {
    const before = await rows(f.tenantA);
    const unknown = await f.call('POST', '/notifications', { body: { destination: 'nope', subject: 'x' } });
    const [foreign] = await f.owner.query(`SELECT id FROM notification_destinations WHERE tenant_id = $1`, [f.tenantB]);
    const foreignById = await f.call('POST', '/notifications', { body: { destination: foreign.id, subject: 'x' } });
    const paused = await f.createDestination({ type: 'webhook', name: 'paused', url: 'http://127.0.0.2:9/p', enabled: false });
    const disabled = await f.call('POST', '/notifications', { body: { destination: paused.id, subject: 'x' } });
    expect([unknown.status, foreignById.status, disabled.status]).toEqual([404, 404, 422]);
    expect(disabled.body.reason).toBe('destination_disabled');
    expect(await rows(f.tenantA)).toEqual(before);
  });

  it('when a send is retried with the same Idempotency-Key, then the first answer returns and one notification exists', async () => {
    const key = randomUUID();
    const body = { destination: destinationId, subject: 'Forecast gap', text: 'Q3 is 12% under plan' };
    const before = await rows(f.tenantA);
    const first = await f.call('POST', '/notifications', { body, headers: { 'idempotency-key': key } });
    const retries = [];
    for (let i = 0; i < 3; i++) retries.push(await f.call('POST', '/notifications', { body, headers: { 'idempotency-key': key } }));
    expect(first.status).toBe(202);
    for (const retry of retries) expect([retry.status, retry.body]).toEqual([202, first.body]);
    expect(await rows(f.tenantA)).toEqual({ notifications: before.notifications + 1, outbox: before.outbox + 1 });

    const reused = await f.call('POST', '/notifications', { body: { ...body, subject: 'Other' }, headers: { 'idempotency-key': key } });
    expect(reused.status).toBe(422);
    expect(reused.body.error).toBe('idempotency_key_reused');
    const invalid = await f.call('POST', '/notifications', { body, headers: { 'idempotency-key': '' } });
    expect(invalid.status).toBe(400);
    expect(await rows(f.tenantA)).toEqual({ notifications: before.notifications + 1, outbox: before.outbox + 1 });
  });

  it('when a tenant exceeds its send rate, then 429 with Retry-After, nothing is written, and other tenants are unaffected', async () => {
    const tenant = uniqueTenantId('tenant-rate');
    const drop = await createTenants(tenant);
    try {
      await f.createDestination({ type: 'webhook', name: 'alerts', url: 'http://127.0.0.2:9/r' }, tenant);
      const key = randomUUID();
      const sends = [];
      for (let i = 0; i < 5; i++) {
        const headers: Record<string, string> = i === 0 ? { 'idempotency-key': key } : {};
        sends.push((await f.call('POST', '/notifications', { tenant, headers, body: { destination: 'alerts', subject: `n${i}` } })).status);
      }
      const limited = await f.call('POST', '/notifications', { tenant, body: { destination: 'alerts', subject: 'one too many' } });
      expect(sends).toEqual([202, 202, 202, 202, 202]);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ error: 'rate_limited', reason: 'rate_limited' });
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(86_400);
      expect(await rows(tenant)).toEqual({ notifications: 5, outbox: 5 });
      // A replay sends nothing, so it is answered even when the budget is spent.
      const replayed = await f.call('POST', '/notifications', { tenant, headers: { 'idempotency-key': key }, body: { destination: 'alerts', subject: 'n0' } });
      expect(replayed.status).toBe(202);
      expect((await f.call('POST', '/notifications', { tenant: f.tenantB, body: { destination: 'alerts', subject: 'b' } })).status).toBe(202);
    } finally {
      await drop();
    }
  });

  it("when another tenant asks for a notification, then 404; an unknown id is 404, a malformed one 400", async () => {
    const sent = await f.call('POST', '/notifications', { tenant: f.tenantB, body: { destination: 'alerts', subject: 'b only' } });
    expect((await f.call('GET', `/notifications/${sent.body.id}`)).status).toBe(404);
    expect((await f.call('GET', `/notifications/${randomUUID()}`)).status).toBe(404);
    expect((await f.call('GET', '/notifications/not-a-uuid')).status).toBe(400);
  });

  describe('rule notifications and the CRM write that triggers them (one transaction)', () => {
    const crm = { scopes: [Scope.CrmWrite, Scope.CrmRead] };
    const opportunity = async (tenant: string, name: string) =>
      (await f.call('POST', '/crm/opportunities', { ...crm, tenant, body: { name, amount: '1000.00', stage: 'negotiation', closeDate: '2030-01-15' } })).body;
    const win = (tenant: string, deal: { id: string; version: number }) =>
      f.call('PATCH', `/crm/opportunities/${deal.id}`, { ...crm, tenant, body: { stage: 'closed_won', version: deal.version } });

    it('when a deal is won under a rule, then its notification was written by the very transaction that changed the deal', async () => {
      const tenant = uniqueTenantId('rules-atomic');
      const drop = await createTenants(tenant);
      try {
        await f.createDestination({ type: 'webhook', name: 'wins', url: 'http://127.0.0.2:9/wins' }, tenant);
        expect((await f.call('POST', '/notifications/rules', { tenant, body: { event: 'opportunity.closed_won', destination: 'wins' } })).status).toBe(201);
        const deal = await opportunity(tenant, 'Atomic win');
        expect((await win(tenant, deal)).status).toBe(200);
        // No waiting: the rows exist as soon as the write answered. now() is the start time of the
        // transaction (savepoints included), so equal timestamps mean one transaction: no crash
        // between the two can leave the change without its notification.
        const [deal2] = await f.owner.query(`SELECT updated_at::text AS at FROM opportunities WHERE tenant_id = $1 AND id = $2`, [tenant, deal.id]);
        const notifications = await f.owner.query(`SELECT created_at::text AS at FROM notifications WHERE tenant_id = $1 AND event_type = 'crm.opportunity.closed_won'`, [tenant]);
        const outbox = await f.owner.query(`SELECT created_at::text AS at FROM notification_outbox WHERE tenant_id = $1`, [tenant]);
        expect(notifications).toEqual([{ at: deal2.at }]);
        expect(outbox).toEqual([{ at: deal2.at }]);
      } finally {
        await drop();
      }
    });

    it('when enqueueing the rule notification fails, then the CRM write still commits and only the notification is undone', async () => {
      const tenant = uniqueTenantId('rules-fail');
      const drop = await createTenants(tenant);
      // A fault planted in the database: inserting this tenant's notifications raises.
      await f.owner.query(`
        CREATE FUNCTION fail_rules_notification() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.tenant_id = '${tenant}' THEN RAISE EXCEPTION 'planted fault'; END IF; RETURN NEW; END $$`);
      await f.owner.query(`CREATE TRIGGER fail_rules_notification BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION fail_rules_notification()`);
      try {
        await f.createDestination({ type: 'webhook', name: 'wins', url: 'http://127.0.0.2:9/wins' }, tenant);
        expect((await f.call('POST', '/notifications/rules', { tenant, body: { event: 'opportunity.closed_won', destination: 'wins' } })).status).toBe(201);
        const deal = await opportunity(tenant, 'Win despite the fault');
        const response = await win(tenant, deal);
        expect(response.status).toBe(200);
        const [row] = await f.owner.query(`SELECT stage, version FROM opportunities WHERE tenant_id = $1 AND id = $2`, [tenant, deal.id]);
        expect(row).toEqual({ stage: 'closed_won', version: deal.version + 1 });
        expect(await rows(tenant)).toEqual({ notifications: 0, outbox: 0 });
      } finally {
        await f.owner.query(`DROP TRIGGER fail_rules_notification ON notifications`);
        await f.owner.query(`DROP FUNCTION fail_rules_notification()`);
        await drop();
      }
    });
  });
});
