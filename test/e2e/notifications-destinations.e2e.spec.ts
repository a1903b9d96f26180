import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../src/auth/scope.js';
import { startNotifyFixture, type NotifyFixture } from '../helpers/notify-fixture.js';
import { NotifyReceiver } from '../helpers/notify-receiver.js';

// No worker here (the default under NODE_ENV=test). 127.0.0.2 is the only host allowed to be
// local, so every other local or private target must be refused.
describe('notification destinations (REST, scope notifications:manage)', () => {
  let f: NotifyFixture;
  let canary: NotifyReceiver;
  const countDestinations = async (tenant: string) =>
    Number((await f.owner.query(`SELECT count(*) AS n FROM notification_destinations WHERE tenant_id = $1`, [tenant]))[0].n);

  beforeAll(async () => {
    f = await startNotifyFixture({ NOTIFY_ALLOW_LOCAL_HOSTS: '127.0.0.2' });
    canary = await new NotifyReceiver().start();
  });
  afterAll(async () => {
    await canary?.stop();
    await f?.close();
  });

  it('when a webhook destination is created, then its signing secret is in that response only', async () => {
    const created = await f.createDestination({ type: 'webhook', name: 'ops-hook', url: 'http://127.0.0.2:9/hook' });
    expect(created).toMatchObject({ name: 'ops-hook', type: 'webhook', allowLocal: true, hasSigningSecret: true, enabled: true, version: 1 });
    expect(created.signingSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const one = await f.call('GET', `/notifications/destinations/${created.id}`);
    const list = await f.call('GET', '/notifications/destinations');
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('signingSecret');
    expect(JSON.stringify(list.body)).not.toContain(created.signingSecret);
    expect(list.body.items.map((item: { name: string }) => item.name)).toContain('ops-hook');
  });

  it('when a Slack destination is read back, then its URL (a credential) is masked', async () => {
    const created = await f.createDestination({ type: 'slack', name: 'sales-slack', url: 'http://127.0.0.2:9/services/T000/B000/s3cr3t' });
    expect(created.url).toBe('http://127.0.0.2:9/services/T000/B000/****');
    const list = await f.call('GET', '/notifications/destinations');
    expect(JSON.stringify(list.body)).not.toContain('s3cr3t');
  });

  it('when a Slack destination points at a host that is not Slack, then 400 names body.url', async () => {
    const response = await f.call('POST', '/notifications/destinations', { body: { type: 'slack', name: 'fake-slack', url: 'https://hooks.example.org/x' } });
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([{ path: 'body.url', message: expect.stringMatching(/Slack incoming-webhook URL/) }]);
  });

  it('when an update carries a stale version, then 409 and nothing changes; with the current one it applies', async () => {
    const created = await f.createDestination({ type: 'webhook', name: 'versioned', url: 'http://127.0.0.2:9/v' });
    const renamed = await f.call('PATCH', `/notifications/destinations/${created.id}`, { body: { name: 'versioned-2', version: 1 } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'versioned-2', version: 2 });
    const stale = await f.call('PATCH', `/notifications/destinations/${created.id}`, { body: { name: 'versioned-3', version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'conflict', reason: 'stale_version' });
    expect((await f.call('GET', `/notifications/destinations/${created.id}`)).body.name).toBe('versioned-2');
  });

  it('when the signing secret is rotated, then the new one is shown once and differs', async () => {
    const created = await f.createDestination({ type: 'webhook', name: 'rotating', url: 'http://127.0.0.2:9/r' });
    const rotated = await f.call('PATCH', `/notifications/destinations/${created.id}`, { body: { rotateSecret: true } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.signingSecret).toMatch(/^whsec_/);
    expect(rotated.body.signingSecret).not.toBe(created.signingSecret);
    const email = await f.call('PATCH', `/notifications/destinations/${created.id}`, { body: { recipients: ['a@example.org'] } });
    expect(email.status).toBe(400);
    expect(email.body.issues[0].path).toBe('body.recipients');
  });

  it('when a name is taken, then 409; when a destination is deleted, then it is gone', async () => {
    const created = await f.createDestination({ type: 'webhook', name: 'short-lived', url: 'http://127.0.0.2:9/s' });
    const duplicate = await f.call('POST', '/notifications/destinations', { body: { type: 'webhook', name: 'short-lived', url: 'http://127.0.0.2:9/t' } });
    expect(duplicate.status).toBe(409);
    expect((await f.call('DELETE', `/notifications/destinations/${created.id}`)).status).toBe(204);
    expect((await f.call('GET', `/notifications/destinations/${created.id}`)).status).toBe(404);
    expect((await f.call('DELETE', `/notifications/destinations/${created.id}`)).status).toBe(404);
  });

  it("when another tenant names a destination's id, then it gets 404 and the destination is untouched", async () => {
    const created = await f.createDestination({ type: 'webhook', name: 'tenant-a-only', url: 'http://127.0.0.2:9/a' });
    for (const [method, body] of [['GET'], ['PATCH', { enabled: false }], ['DELETE']] as const) {
      const response = await f.call(method, `/notifications/destinations/${created.id}`, { tenant: f.tenantB, body });
      expect(response.status, method).toBe(404);
    }
    expect((await f.call('GET', `/notifications/destinations/${created.id}`)).body).toMatchObject({ enabled: true, version: 1 });
  });

  it.each([
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/'],
    ['a private address', 'https://10.0.0.5/hook'],
    ['loopback (not allow-listed)', 'https://127.0.0.1:5432/'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['hex-encoded loopback', 'https://0x7f000001/hook'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/hook'],
    ['a name resolving to loopback', 'https://localhost/hook'],
    ['carrier-grade NAT', 'https://100.64.0.1/hook'],
    ['IPv6 unique-local', 'https://[fd00::1]/hook'],
    ['plain http to a public host', 'http://hooks.example.org/hook'],
    ['a URL with credentials', 'https://user:pw@hooks.example.org/hook'],
    ['not a URL', 'hooks.example.org/hook'],
  ])('when a webhook URL is %s, then creation is refused with 400 naming body.url', async (_what, url) => {
    const before = await countDestinations(f.tenantA);
    const response = await f.call('POST', '/notifications/destinations', { body: { type: 'webhook', name: 'refused', url } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'validation_error', issues: [{ path: 'body.url' }] });
    expect(await countDestinations(f.tenantA)).toBe(before);
  });

  it('when a URL points at a local listener that is not allow-listed, then nothing reaches it', async () => {
    const response = await f.call('POST', '/notifications/destinations', { body: { type: 'webhook', name: 'canary', url: `${canary.url.replace('http:', 'https:')}/x` } });
    const viaPatch = await f.createDestination({ type: 'webhook', name: 'canary-patch', url: 'http://127.0.0.2:9/p' });
    const patched = await f.call('PATCH', `/notifications/destinations/${viaPatch.id}`, { body: { url: `${canary.url}/x` } });
    expect([response.status, patched.status]).toEqual([400, 400]);
    expect(canary.requests).toHaveLength(0);
  });

  it('when an e-mail destination is created while SMTP is not configured, then 422 says so', async () => {
    const response = await f.call('POST', '/notifications/destinations', { body: { type: 'email', name: 'mail', recipients: ['ops@example.org'] } });
    expect(response.status).toBe(422);
    expect(response.body.reason).toBe('email_not_configured');
  });

  it('when the token has only notifications:send, then managing destinations and rules is 403 naming the manage scope', async () => {
    for (const [method, path] of [['GET', '/notifications/destinations'], ['POST', '/notifications/destinations'], ['GET', '/notifications/rules']]) {
      const response = await f.call(method!, path!, { scopes: [Scope.NotificationsSend], body: method === 'POST' ? { type: 'webhook', name: 'x', url: 'http://127.0.0.2:9/' } : undefined });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.headers.get('www-authenticate')).toContain(`scope="${Scope.NotificationsManage}"`);
    }
  });

  it('when a rule is created, then it is listed, a duplicate is 409, and deleting its destination removes it', async () => {
    const destination = await f.createDestination({ type: 'webhook', name: 'won-deals', url: 'http://127.0.0.2:9/w' });
    const rule = await f.call('POST', '/notifications/rules', { body: { event: 'opportunity.closed_won', destination: 'won-deals' } });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ event: 'opportunity.closed_won', destination: { id: destination.id, name: 'won-deals' }, enabled: true });
    expect((await f.call('POST', '/notifications/rules', { body: { event: 'opportunity.closed_won', destination: destination.id } })).status).toBe(409);
    expect((await f.call('POST', '/notifications/rules', { body: { event: 'opportunity.closed_won', destination: 'https://x.example/' } })).status).toBe(400);
    await f.call('DELETE', `/notifications/destinations/${destination.id}`);
    const rules = await f.call('GET', '/notifications/rules');
    expect(rules.body.items.find((item: { id: string }) => item.id === rule.body.id)).toBeUndefined();
  });
});
