import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { type AppProcess, spawnApp, waitForOk } from '../helpers/app-process.js';
import { startNotifyFixture, type NotifyFixture } from '../helpers/notify-fixture.js';
import { NotifyReceiver } from '../helpers/notify-receiver.js';
import { testDatabaseUrl } from '../helpers/test-app.js';

// The receiver listens on 127.0.0.3 and only these processes allow-list that host, so no other
// suite's worker can claim these messages: what happens to them is decided by the processes here.
const HOST = '127.0.0.3';
const WORKER_ENV = {
  NOTIFY_WORKER_ENABLED: 'true',
  NOTIFY_ALLOW_LOCAL_HOSTS: HOST,
  NOTIFY_POLL_INTERVAL_MS: '50',
  NOTIFY_DELIVERY_TIMEOUT_MS: '5000',
  NOTIFY_LEASE_SECONDS: '7',
  NOTIFY_RETRY_BASE_MS: '50',
};

// These run the built product (dist/main.js, what `npm start` runs; `npm test` builds it first).
describe('delivery across a crash and a graceful shutdown of the process that delivers', () => {
  let f: NotifyFixture;
  let receiver: NotifyReceiver;
  const children: AppProcess[] = [];

  const startWorkerProcess = async (): Promise<AppProcess> => {
    const port = await findFreePort();
    const child = spawnApp({ PORT: String(port), DATABASE_URL: testDatabaseUrl(), AUTH_ISSUER: f.auth.issuer.url, ...WORKER_ENV });
    children.push(child);
    await waitForOk(`http://127.0.0.1:${port}/health/live`, 30_000, child);
    return child;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const attempts = (id: string): Promise<any[]> =>
    f.owner.query(`SELECT attempt, outcome, worker_id FROM notification_attempts WHERE notification_id = $1 ORDER BY attempt`, [id]);

  beforeAll(async () => {
    receiver = await new NotifyReceiver().start(HOST);
    // The API runs in-process without a worker; only the child processes deliver.
    f = await startNotifyFixture({ NOTIFY_ALLOW_LOCAL_HOSTS: HOST, NOTIFY_WORKER_ENABLED: 'false' });
  });
  afterEach(async () => {
    receiver.releaseHeld(200);
    for (const child of children.splice(0)) {
      if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
      await child.exited;
    }
  });
  afterAll(async () => {
    await f?.close();
    await receiver?.stop();
  });

  it('when the delivering process is killed while the receiver holds the request, then a restart delivers it exactly once more', async () => {
    const url = receiver.route('/crash', { behaviour: (_request, count) => (count === 1 ? 'hold' : 200) });
    receiver.setSecret('/crash', (await f.createDestination({ type: 'webhook', name: 'crash', url })).signingSecret);
    const first = await startWorkerProcess();
    const { id } = (await f.call('POST', '/notifications', { body: { destination: 'crash', subject: 'Quarter closed' } })).body;

    await receiver.waitUntil(() => receiver.heldCount === 1, 30_000, 'the first delivery to be held');
    first.child.kill('SIGKILL');
    await first.exited;
    // Sent but never acknowledged: still pending, its attempt without an outcome.
    expect((await f.call('GET', `/notifications/${id}`)).body).toMatchObject({ status: 'pending', attempts: [{ attempt: 1, outcome: 'in_progress' }] });

    await startWorkerProcess();
    const done = await f.waitForStatus(id, ['delivered', 'dead'], 40_000);
    expect(done.status).toBe('delivered');
    const requests = receiver.on('/crash');
    expect(requests.map((request) => [request.eventId, request.signatureValid])).toEqual([
      [id, true],
      [id, true],
    ]);
    const rows = await attempts(id);
    expect(rows.map((row) => [row.attempt, row.outcome])).toEqual([
      [1, 'abandoned'],
      [2, 'delivered'],
    ]);
    expect(rows[0].worker_id).not.toBe(rows[1].worker_id);
  }, 120_000);

  it('when the delivering process gets SIGTERM mid-delivery, then it finishes that delivery, records it, and exits 0', async () => {
    const url = receiver.route('/drain', { behaviour: () => 'hold' });
    receiver.setSecret('/drain', (await f.createDestination({ type: 'webhook', name: 'drain', url })).signingSecret);
    const child = await startWorkerProcess();
    const { id } = (await f.call('POST', '/notifications', { body: { destination: 'drain', subject: 'Drain me' } })).body;

    await receiver.waitUntil(() => receiver.heldCount === 1, 30_000, 'the delivery to be held');
    child.child.kill('SIGTERM');
    await receiver.waitUntil(() => child.output().includes('shutting down'), 10_000, 'the shutdown to begin');
    receiver.releaseHeld(200);
    expect(await child.exited).toBe(0);

    expect((await f.call('GET', `/notifications/${id}`)).body).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, outcome: 'delivered' }] });
    expect(receiver.on('/drain')).toHaveLength(1);
    const [outbox] = await f.owner.query(`SELECT count(*)::int AS n FROM notification_outbox WHERE notification_id = $1`, [id]);
    expect(outbox.n).toBe(0);
  }, 120_000);
});
