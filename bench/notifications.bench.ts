import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createDataSource } from '../src/database/data-source.js';
import { runMigrations } from '../src/database/migrate.js';
import { TestIssuer } from '../test/helpers/test-issuer.js';
import { type BenchApp, benchDatabase, BenchReceiver, percentile, startBenchApp } from './notifications-bench-kit.js';

/**
 * Notifications through the outbox to a local receiver, in one process (app, receiver and load
 * generator share the machine's 2 cores: compare figures of one run, PERF-NOTES.md):
 *   1. enqueue: POST /api/v1/notifications with the worker off — the API's transactional write;
 *   2. drain: a backlog of N through the worker at several concurrencies (claim, deliver, ack);
 *   3. end-to-end: send and deliver at once; latency from the POST to the receiver.
 * Build and run:
 *   npm run build --silent && npx swc bench test/helpers src -d dist/bench-build --quiet \
 *     && node dist/bench-build/bench/notifications.bench.js [--count 1000 --clients 32 --levels 1,4,16]
 */
const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '32' },
    levels: { type: 'string', default: '1,4,16' },
  },
});
const COUNT = Number(args.count);
const CLIENTS = Number(args.clients);
const LEVELS = args.levels.split(',').map(Number);
const TIMEOUT_MS = 300_000;

/** Sends `count` notifications with `clients` concurrent callers; returns each id's send time. */
async function sendMany(app: BenchApp, count: number, clients: number): Promise<{ seconds: number; sentAt: Map<string, number>; latencies: number[] }> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < count) {
      const index = next++;
      const t0 = performance.now();
      const response = await fetch(`${app.url}/api/v1/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ destination: 'bench', subject: `Bench ${index}`, text: 'Pipeline coverage below 3x', data: { index } }),
      });
      if (response.status !== 202) throw new Error(`send answered ${response.status}: ${await response.text()}`);
      const { id } = (await response.json()) as { id: string };
      sentAt.set(id, t0);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { seconds: (performance.now() - started) / 1000, sentAt, latencies: latencies.sort((a, b) => a - b) };
}

/** The same client loop on GET /health/live: this run's ceiling for any request, to read the others against. */
async function baseline(app: BenchApp, count: number, clients: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next++ < count) await (await fetch(`${app.url}/health/live`)).text();
  };
  await Promise.all(Array.from({ length: clients }, client));
  return count / ((performance.now() - started) / 1000);
}

function line(label: string, figure: string, extra = ''): void {
  console.log(`${label.padEnd(58)} ${figure.padStart(14)}   ${extra}`);
}

type WithApp = <T>(worker: { enabled: boolean; concurrency: number }, work: (app: BenchApp) => Promise<T>) => Promise<T>;

async function enqueuePhase(withApp: WithApp, receiver: BenchReceiver): Promise<void> {
  await withApp({ enabled: false, concurrency: 1 }, async (app) => {
    const created = await fetch(`${app.url}/api/v1/notifications/destinations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'webhook', name: 'bench', url: receiver.url }),
    });
    if (created.status !== 201) throw new Error(`destination: ${created.status} ${await created.text()}`);
    await sendMany(app, 50, 8); // warm-up (JIT, pool, token cache), drained by the first drain phase
    line('baseline GET /health/live (no token, no database)', `${(await baseline(app, COUNT, CLIENTS)).toFixed(0)} req/s`, "the machine's ceiling in this run");
    const sent = await sendMany(app, COUNT, CLIENTS);
    line('enqueue  POST /api/v1/notifications (worker off)', `${(COUNT / sent.seconds).toFixed(0)} req/s`, `p50 ${percentile(sent.latencies, 50).toFixed(1)} ms  p99 ${percentile(sent.latencies, 99).toFixed(1)} ms`);
  });
}

async function drainPhases(withApp: WithApp, receiver: BenchReceiver): Promise<void> {
  let backlog = COUNT + 50;
  for (const concurrency of LEVELS) {
    if (concurrency !== LEVELS[0]) await withApp({ enabled: false, concurrency: 1 }, (app) => sendMany(app, COUNT, CLIENTS));
    receiver.reset();
    const seconds = await withApp({ enabled: true, concurrency }, async () => {
      const started = performance.now();
      await receiver.waitFor(backlog, TIMEOUT_MS);
      return (performance.now() - started) / 1000;
    });
    line(`drain    backlog of ${backlog} → receiver, worker concurrency ${concurrency}`, `${(backlog / seconds).toFixed(0)} msg/s`, `duplicates ${receiver.requests - receiver.firstSeen.size}`);
    backlog = COUNT;
  }
}

async function endToEndPhase(withApp: WithApp, receiver: BenchReceiver): Promise<void> {
  receiver.reset();
  const top = Math.max(...LEVELS);
  await withApp({ enabled: true, concurrency: top }, async (app) => {
    const started = performance.now();
    const sent = await sendMany(app, COUNT, CLIENTS);
    await receiver.waitFor(COUNT, TIMEOUT_MS);
    const seconds = (performance.now() - started) / 1000;
    const latencies = [...sent.sentAt].map(([id, t0]) => receiver.firstSeen.get(id)! - t0).sort((a, b) => a - b);
    const extra = `POST→receiver p50 ${percentile(latencies, 50).toFixed(0)} ms  p99 ${percentile(latencies, 99).toFixed(0)} ms  duplicates ${receiver.requests - receiver.firstSeen.size}`;
    line(`end-to-end send + deliver, worker concurrency ${top}`, `${(COUNT / seconds).toFixed(0)} msg/s`, extra);
  });
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  await runMigrations(db.url);
  const tenant = `bench-notify-${process.pid}`;
  const admin = createDataSource({ url: db.url, asAppRole: false, poolSize: 1 });
  await admin.initialize();
  await admin.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [tenant]);
  const issuer = await new TestIssuer().start();
  const receiver = await new BenchReceiver().start();
  // One app at a time: each phase boots the app with the worker it needs.
  const withApp: WithApp = async (worker, work) => {
    const app = await startBenchApp(db.url, issuer, tenant, worker);
    try {
      return await work(app);
    } finally {
      await app.app.close();
    }
  };
  try {
    console.log(`notifications bench: ${COUNT} per phase, ${CLIENTS} concurrent senders, receiver ${receiver.url}, Postgres ${new URL(db.url).host}`);
    await enqueuePhase(withApp, receiver);
    await drainPhases(withApp, receiver);
    await endToEndPhase(withApp, receiver);
  } finally {
    await receiver.stop();
    await issuer.stop();
    await admin.query('DELETE FROM tenants WHERE id = $1', [tenant]);
    await admin.destroy();
    await db.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
