import { EventEmitter2 } from '@nestjs/event-emitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../src/auth/scope.js';
import { inTransaction, OPPORTUNITY_STAGE_CHANGED } from '../../src/crm/crm.events.js';
import { TenantDb } from '../../src/database/tenant-db.js';
import { DELIVERY_ENV, startNotifyFixture, type NotifyFixture } from '../helpers/notify-fixture.js';
import { type Behaviour, NotifyReceiver, replay } from '../helpers/notify-receiver.js';
import { NotifySmtp } from '../helpers/notify-smtp.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('notification delivery through the outbox', () => {
  let f: NotifyFixture;
  let receiver: NotifyReceiver;
  let smtp: NotifySmtp;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const send = async (destination: string, extra: Record<string, unknown> = {}): Promise<any> => {
    const response = await f.call('POST', '/notifications', { body: { destination, subject: 'Deal slipping', text: 'Acme renewal moved to Q4', ...extra } });
    expect(response.status).toBe(202);
    return response.body;
  };
  const webhook = async (name: string, behaviour?: Behaviour) => {
    const url = receiver.route(`/${name}`, { behaviour });
    const destination = await f.createDestination({ type: 'webhook', name, url });
    receiver.setSecret(`/${name}`, destination.signingSecret);
    return destination;
  };

  beforeAll(async () => {
    receiver = await new NotifyReceiver().start();
    smtp = await new NotifySmtp().start();
    f = await startNotifyFixture({ ...DELIVERY_ENV, SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: 'false', SMTP_FROM: 'Sales <alerts@sales.test>' });
  });
  afterAll(async () => {
    await f?.close();
    await receiver?.stop();
    await smtp?.stop();
  });

  it('when a webhook notification is sent, then the receiver gets it once, signed, with the notification id as event id', async () => {
    await webhook('signed');
    const { id } = await send('signed', { data: { account: 'Acme' } });
    const done = await f.waitForStatus(id, ['delivered', 'dead']);
    expect(done).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, outcome: 'delivered', httpStatus: 200 }] });
    const [request] = receiver.on('/signed');
    expect(receiver.on('/signed')).toHaveLength(1);
    expect(request).toMatchObject({ eventId: id, signatureValid: true });
    expect(request!.headers['sales-delivery-attempt']).toBe('1');
    expect(JSON.parse(request!.body)).toMatchObject({ id, type: 'notification', subject: 'Deal slipping', text: 'Acme renewal moved to Q4', data: { account: 'Acme' } });
  });

  it('when a captured delivery is replayed later or with a forged timestamp, then the receiver rejects it', async () => {
    const captured = receiver.on('/signed')[0]!;
    const url = `${receiver.url}/signed`;
    try {
      receiver.clockOffsetSeconds = 600;
      expect(await replay(url, captured)).toBe(400);
      receiver.clockOffsetSeconds = 0;
      const now = Math.floor(Date.now() / 1000);
      const forged = { ...captured, headers: { ...captured.headers, 'sales-signature': String(captured.headers['sales-signature']).replace(/t=\d+/, `t=${now + 1}`) } };
      expect(await replay(url, forged)).toBe(400);
      const tampered = { ...captured, body: captured.body.replace('Acme renewal', 'Evil renewal') };
      expect(await replay(url, tampered)).toBe(400);
    } finally {
      receiver.clockOffsetSeconds = 0;
    }
  });

  it('when the receiver fails twice, then the third attempt delivers the same event with the same body', async () => {
    await webhook('flaky', (_request, count) => (count <= 2 ? 503 : 200));
    const { id } = await send('flaky');
    const done = await f.waitForStatus(id, ['delivered', 'dead']);
    expect(done.status).toBe('delivered');
    expect(done.attempts.map((a: { outcome: string; httpStatus: number }) => [a.outcome, a.httpStatus])).toEqual([
      ['failed', 503],
      ['failed', 503],
      ['delivered', 200],
    ]);
    const requests = receiver.on('/flaky');
    expect(requests.map((request) => request.eventId)).toEqual([id, id, id]);
    expect(new Set(requests.map((request) => request.body)).size).toBe(1);
    expect(requests.every((request) => request.signatureValid)).toBe(true);
  });

  it('when the receiver always fails, then after NOTIFY_MAX_ATTEMPTS (3) it is dead-lettered and never tried again', async () => {
    await webhook('down', () => 500);
    const { id } = await send('down');
    const done = await f.waitForStatus(id, ['delivered', 'dead']);
    expect(done).toMatchObject({ status: 'dead', lastError: 'answered 500' });
    expect(done.attempts).toHaveLength(3);
    expect(receiver.on('/down')).toHaveLength(3);
    expect(await f.owner.query(`SELECT 1 FROM notification_outbox WHERE notification_id = $1`, [id])).toEqual([]);
  });

  it('when the receiver answers 410 or a redirect, then it is dead-lettered at once (retrying cannot help)', async () => {
    await webhook('gone', () => 410);
    await webhook('moved', () => 302);
    const gone = await f.waitForStatus((await send('gone')).id, ['delivered', 'dead']);
    const moved = await f.waitForStatus((await send('moved')).id, ['delivered', 'dead']);
    expect([gone.status, gone.attempts.length, moved.status, moved.attempts.length]).toEqual(['dead', 1, 'dead', 1]);
    expect(moved.lastError).toMatch(/redirects are not followed/);
  });

  it('when a destination resolves to a local address it is not flagged for, then delivery is refused and nothing reaches it', async () => {
    const canary = receiver.route('/canary');
    // Planted as the owner: a destination that passed creation but points at loopback now.
    const [planted] = await f.owner.query(
      `INSERT INTO notification_destinations (tenant_id, name, type, url, signing_secret, allow_local) VALUES ($1, 'rebound', 'webhook', $2, 'whsec_x', false) RETURNING id`,
      [f.tenantA, canary],
    );
    const { id } = await send(planted.id);
    const done = await f.waitForStatus(id, ['delivered', 'dead']);
    expect(done.status).toBe('dead');
    expect(done.attempts).toEqual([expect.objectContaining({ outcome: 'refused', error: expect.stringMatching(/non-public address \(loopback\)/) })]);
    expect(receiver.on('/canary')).toHaveLength(0);
  });

  it('when a Slack destination is used, then the incoming webhook gets {text}', async () => {
    const url = receiver.route('/services/T1/B1/secret');
    await f.createDestination({ type: 'slack', name: 'slack', url });
    const { id } = await send('slack', { data: { amount: 5 } });
    expect((await f.waitForStatus(id, ['delivered', 'dead'])).status).toBe('delivered');
    const [request] = receiver.on('/services/T1/B1/secret');
    expect(JSON.parse(request!.body)).toEqual({ text: '*Deal slipping*\nAcme renewal moved to Q4\n\namount: 5' });
  });

  it('when an e-mail destination is used, then the SMTP peer receives it with a Message-ID derived from the event id', async () => {
    await f.createDestination({ type: 'email', name: 'mail', recipients: ['ops@acme.test', 'cfo@acme.test'] });
    const { id } = await send('mail');
    expect((await f.waitForStatus(id, ['delivered', 'dead'])).status).toBe('delivered');
    const mail = smtp.mails.find((candidate) => candidate.raw.includes(id));
    expect(mail).toMatchObject({ from: 'alerts@sales.test', to: ['ops@acme.test', 'cfo@acme.test'] });
    expect(mail!.raw).toMatch(/^Subject: Deal slipping$/m);
    expect(mail!.raw).toMatch(new RegExp(`^Message-ID:\\s+<${id}@notifications\\.sales-analytics>$`, 'mi'));
    expect(mail!.raw).toMatch(new RegExp(`^Sales-Event-Id: ${id}$`, 'mi'));
  });

  it("when a deal is won or its close date slips, then the tenant's rules deliver one notification per event", async () => {
    await webhook('crm-events');
    for (const event of ['opportunity.closed_won', 'opportunity.close_date_slipped']) {
      expect((await f.call('POST', '/notifications/rules', { body: { event, destination: 'crm-events' } })).status).toBe(201);
    }
    const crm = { scopes: [Scope.CrmWrite, Scope.CrmRead] };
    const opportunity = async (name: string) =>
      (await f.call('POST', '/crm/opportunities', { ...crm, body: { name, amount: '1000.00', stage: 'negotiation', closeDate: '2030-01-15' } })).body;
    const won = await opportunity('Acme renewal');
    const slipping = await opportunity('Globex expansion');
    expect((await f.call('PATCH', `/crm/opportunities/${won.id}`, { ...crm, body: { stage: 'closed_won', version: won.version } })).status).toBe(200);
    expect((await f.call('PATCH', `/crm/opportunities/${slipping.id}`, { ...crm, body: { closeDate: '2030-03-01', version: slipping.version } })).status).toBe(200);

    await receiver.waitUntil(() => receiver.on('/crm-events').length >= 2, 20_000, 'two rule deliveries');
    const bodies = receiver.on('/crm-events').map((request) => JSON.parse(request.body));
    expect(bodies.map((body) => [body.type, body.data.opportunityId]).sort()).toEqual([
      ['crm.opportunity.close_date_slipped', slipping.id],
      ['crm.opportunity.closed_won', won.id],
    ]);
    expect(receiver.on('/crm-events').every((request) => request.signatureValid)).toBe(true);

    // The same CRM event arriving again (a redelivered domain event) enqueues nothing new.
    const wonBody = bodies.find((body) => body.type === 'crm.opportunity.closed_won');
    const { opportunityId, from, to, amount, currency, closeDate, changedBy, changedAt } = wonBody.data;
    const event = { tenantId: f.tenantA, opportunityId, from, to, amount, currency, closeDate, changedBy, changedAt };
    await f.auth.t.app.get(TenantDb).run(f.tenantA, (manager) => f.auth.t.app.get(EventEmitter2).emitAsync(inTransaction(OPPORTUNITY_STAGE_CHANGED), { manager, event }));
    const [{ n }] = await f.owner.query(`SELECT count(*)::int AS n FROM notifications WHERE tenant_id = $1 AND event_type = 'crm.opportunity.closed_won'`, [f.tenantA]);
    expect(n).toBe(1);
  });

  it('when two app instances run workers on the same database, then each message is delivered once', async () => {
    // Everything through the API happens first: passport keeps one strategy per process, so a
    // second in-process app takes over token validation (the second instance only delivers).
    await webhook('pair', () => 'hold');
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await send('pair', { subject: `m${i}` })).id);
    const second: TestApp = await startTestApp({ AUTH_ISSUER: f.auth.issuer.url, AUTH_AUDIENCE: f.auth.t.config.auth.audience, ...DELIVERY_ENV });
    try {
      // Each instance holds at most 4 at once, so 8 held requests prove both claimed work.
      await receiver.waitUntil(() => receiver.heldCount >= 8, 20_000, '8 held requests');
      const workers = await f.owner.query(`SELECT DISTINCT worker_id FROM notification_attempts WHERE notification_id = ANY($1)`, [ids]);
      expect(workers.length).toBeGreaterThanOrEqual(2);
      receiver.releaseHeld(200);
      await receiver.waitUntil(() => receiver.on('/pair').length >= 8, 20_000, '8 deliveries');
      const settled = async () => (await f.owner.query(`SELECT status FROM notifications WHERE id = ANY($1) AND status <> 'pending'`, [ids])).length === 8;
      for (let i = 0; i < 200 && !(await settled()); i++) await new Promise((done) => setTimeout(done, 100));
      const statuses = await f.owner.query(`SELECT DISTINCT status FROM notifications WHERE id = ANY($1)`, [ids]);
      expect(statuses).toEqual([{ status: 'delivered' }]);
      const eventIds = receiver.on('/pair').map((request) => request.eventId);
      expect(eventIds.sort()).toEqual([...ids].sort());
    } finally {
      receiver.releaseHeld(200);
      await second.close();
    }
  });
});
