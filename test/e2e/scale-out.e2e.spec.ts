import { randomUUID } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../src/auth/scope.js';
import { createDataSource } from '../../src/database/data-source.js';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { type AppProcess, spawnApp, waitForOk } from '../helpers/app-process.js';
import type { Era } from '../helpers/mcp-client.js';
import { NotifyReceiver } from '../helpers/notify-receiver.js';
import { testDatabaseUrl } from '../helpers/test-app.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';
import { TestIssuer } from '../helpers/test-issuer.js';

// One audience for both instances, as behind a load balancer (each still has its own PUBLIC_URL).
const AUDIENCE = 'https://sales-analytics.test/api';
// The machine's Redis (CI starts it like Postgres). Its keys name the tenant, and the tenant is
// fresh per run, so parallel suites and earlier runs never share a counter.
const REDIS_URL = 'redis://127.0.0.1:6379';
// Small on purpose: the rate-limit test spends it. Every other test acts as its own OAuth
// clients (client_id), each well under it; the tenant budget is out of the way.
const PER_CLIENT_LIMIT = 12;
// Only these two processes allow-list this receiver host, so no other suite's worker can claim
// (or refuse) the messages sent here: who delivered what is decided by the processes of this file.
const RECEIVER_HOST = '127.0.0.9';
const WORKER_CONCURRENCY = 2;

const CRM_WRITE = `${Scope.CrmRead} ${Scope.CrmWrite}`;
const NOTIFY = `${Scope.NotificationsSend} ${Scope.NotificationsManage}`;

interface Instance {
  name: 'A' | 'B';
  url: string;
  app: AppProcess;
}

interface Reply {
  instance: 'A' | 'B';
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

// The built product (dist/main.js, what `npm start` runs; `npm test` builds it first), twice.
describe('scale-out: two instances of the product on one Postgres and one Redis', () => {
  const issuer = new TestIssuer();
  const tenant = uniqueTenantId('scale');
  let receiver: NotifyReceiver;
  let owner: DataSource;
  let dropTenants: () => Promise<void>;
  let A: Instance;
  let B: Instance;
  let both: Instance[];

  /** A token of tenant `tenant` for one OAuth client (the rate limits are per client). */
  const token = (scope: string, clientId: string) =>
    issuer.mint(AUDIENCE, { claims: { org_id: tenant, scope, client_id: clientId, sub: `user-of-${clientId}` } });

  const call = async (instance: Instance, method: string, path: string, bearer: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const response = await fetch(`${instance.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { instance: instance.name, status: response.status, headers: response.headers, text, body: parsed };
  };

  const startInstance = async (name: 'A' | 'B'): Promise<Instance> => {
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const app = spawnApp({
      PORT: String(port),
      PUBLIC_URL: url,
      DATABASE_URL: testDatabaseUrl(),
      AUTH_ISSUER: issuer.url,
      AUTH_AUDIENCE: AUDIENCE,
      REDIS_URL,
      RATE_LIMIT_PER_CLIENT_PER_MINUTE: String(PER_CLIENT_LIMIT),
      RATE_LIMIT_PER_TENANT_PER_MINUTE: '1000000',
      NOTIFY_WORKER_ENABLED: 'true',
      NOTIFY_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      NOTIFY_ALLOW_LOCAL_HOSTS: RECEIVER_HOST,
      NOTIFY_POLL_INTERVAL_MS: '50',
      // Longer than the test holds a delivery, so a held one never times out into a retry.
      NOTIFY_DELIVERY_TIMEOUT_MS: '20000',
      NOTIFY_LEASE_SECONDS: '30',
      NOTIFY_RETRY_BASE_MS: '50',
      NOTIFY_RATE_LIMIT: '1000',
    });
    // Ready = database reachable and the issuer's signing keys loaded.
    await waitForOk(`${url}/health/ready`, 60_000, app);
    return { name, url, app };
  };

  beforeAll(async () => {
    await issuer.start();
    receiver = await new NotifyReceiver().start(RECEIVER_HOST);
    dropTenants = await createTenants(tenant);
    owner = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 2 });
    await owner.initialize();
    [A, B] = await Promise.all([startInstance('A'), startInstance('B')]);
    both = [A, B];
  }, 120_000);

  afterAll(async () => {
    receiver?.releaseHeld(200);
    for (const instance of [A, B]) {
      if (!instance || instance.app.child.exitCode !== null || instance.app.child.signalCode !== null) continue;
      instance.app.child.kill('SIGTERM');
      const killLater = setTimeout(() => instance.app.child.kill('SIGKILL'), 15_000);
      await instance.app.exited;
      clearTimeout(killLater);
    }
    await owner?.destroy();
    await receiver?.stop();
    await issuer.stop();
    await dropTenants?.();
  }, 60_000);

  const countRows = async (table: 'opportunities' | 'accounts', name: string): Promise<number> =>
    (await owner.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1 AND name = $2`, [tenant, name]))[0].n;

  it('when the same keyed POST reaches A then B, and then both at once, then one row is written, every success is the first answer, and another body under the key is 422 on either', async () => {
    const path = '/api/v1/crm/opportunities';
    // Sequential: the retry lands on the other instance.
    const client = token(CRM_WRITE, `idem-${randomUUID()}`);
    const key = randomUUID();
    const name = `Idem ${key}`;
    const first = await call(A, 'POST', path, client, { name, amount: 100 }, { 'idempotency-key': key });
    expect(first.status, first.text).toBe(201);
    // The same request (members in another order: the same canonical body) on B.
    const retry = await call(B, 'POST', path, client, { amount: 100, name }, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(await countRows('opportunities', name)).toBe(1);

    for (const instance of both) {
      const other = await call(instance, 'POST', path, client, { name, amount: 200 }, { 'idempotency-key': key });
      expect(other.status, `${instance.name}: ${other.text}`).toBe(422);
      expect(other.body.error).toBe('idempotency_key_reused');
    }
    const [row] = await owner.query(`SELECT amount::float8 AS amount, version FROM opportunities WHERE tenant_id = $1 AND name = $2`, [tenant, name]);
    expect(row).toEqual({ amount: 100, version: 1 });

    // Concurrent: 8 copies with a fresh key, spread over both instances at once.
    const racer = token(CRM_WRITE, `idem-race-${randomUUID()}`);
    const raceKey = randomUUID();
    const raceName = `Race ${raceKey}`;
    const send = (instance: Instance) => call(instance, 'POST', path, racer, { name: raceName, amount: 7 }, { 'idempotency-key': raceKey });
    const raced = await Promise.all(Array.from({ length: 8 }, (_, index) => send(both[index % 2]!)));
    // The contract for a duplicate that arrives while the first is still running: 409, retry later.
    for (const reply of raced) expect([201, 409], `${reply.instance}: ${reply.status} ${reply.text}`).toContain(reply.status);
    const created = raced.filter((reply) => reply.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((reply) => reply.text)).size).toBe(1);
    for (const reply of raced.filter((candidate) => candidate.status === 409)) expect(reply.body.error).toBe('conflict');
    // Once settled, a retry on either instance replays the one execution.
    for (const instance of both) {
      const replay = await send(instance);
      expect(replay.status, `${instance.name}: ${replay.text}`).toBe(201);
      expect(replay.text).toBe(created[0]!.text);
    }
    expect(await countRows('opportunities', raceName)).toBe(1);
    const keys = await owner.query(`SELECT state FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`, [tenant, raceKey]);
    expect(keys).toEqual([{ state: 'completed' }]);
  });

  it('when two updates with the same expected version race, one on A and one on B, then exactly one wins, the other gets 409 conflict, and the row holds the winner’s value at version+1', async () => {
    const setup = token(CRM_WRITE, `lock-setup-${randomUUID()}`);
    // Two users, one on each instance, editing the same records at the same moment.
    const onA = token(CRM_WRITE, `lock-a-${randomUUID()}`);
    const onB = token(CRM_WRITE, `lock-b-${randomUUID()}`);
    const records: { id: string }[] = [];
    for (let index = 0; index < 5; index++) {
      const created = await call(both[index % 2]!, 'POST', '/api/v1/crm/opportunities', setup, { name: `Contended ${index} ${randomUUID()}`, amount: 1 });
      expect(created.status, created.text).toBe(201);
      expect(created.body.version).toBe(1);
      records.push(created.body);
    }
    // Five races at once: each record gets one update on A (amount 1000+i) and one on B (2000+i).
    const races = await Promise.all(
      records.map(async ({ id }, index) => {
        const [a, b] = await Promise.all([
          call(A, 'PATCH', `/api/v1/crm/opportunities/${id}`, onA, { amount: 1000 + index, version: 1 }),
          call(B, 'PATCH', `/api/v1/crm/opportunities/${id}`, onB, { amount: 2000 + index, version: 1 }),
        ]);
        return { id, index, a, b };
      }),
    );
    for (const { id, index, a, b } of races) {
      expect([a.status, b.status].sort(), `${id}: A ${a.text} / B ${b.text}`).toEqual([200, 409]);
      const winner = a.status === 200 ? a : b;
      const loser = a.status === 200 ? b : a;
      const winningAmount = (winner.instance === 'A' ? 1000 : 2000) + index;
      expect(winner.body).toMatchObject({ id, amount: winningAmount, version: 2 });
      expect(loser.body).toMatchObject({ error: 'conflict', currentVersion: 2 });
      const [row] = await owner.query(`SELECT amount::float8 AS amount, version FROM opportunities WHERE tenant_id = $1 AND id = $2`, [tenant, id]);
      expect(row).toEqual({ amount: winningAmount, version: 2 });
    }
  });

  it('when notifications are sent through A and B with both workers running, then each is delivered once, signed, under its own event id, by both instances’ workers between them', async () => {
    const admin = token(NOTIFY, `notify-admin-${randomUUID()}`);
    // Every instance holds at most WORKER_CONCURRENCY deliveries at once: the first 2×that
    // requests are held until both instances are seen delivering at the same time.
    const held = 2 * WORKER_CONCURRENCY;
    const url = receiver.route('/scale', { behaviour: (_request, count) => (count <= held ? 'hold' : 200) });
    const destination = await call(A, 'POST', '/api/v1/notifications/destinations', admin, { type: 'webhook', name: 'scale', url });
    expect(destination.status, destination.text).toBe(201);
    receiver.setSecret('/scale', destination.body.signingSecret);

    const senders = { A: token(NOTIFY, `notify-a-${randomUUID()}`), B: token(NOTIFY, `notify-b-${randomUUID()}`) };
    const ids: string[] = [];
    for (let index = 0; index < 10; index++) {
      const instance = both[index % 2]!;
      const sent = await call(instance, 'POST', '/api/v1/notifications', senders[instance.name], { destination: 'scale', subject: `m${index}`, text: 'Quarter closed' });
      expect(sent.status, sent.text).toBe(202);
      ids.push(sent.body.id);
    }
    try {
      // Well inside NOTIFY_DELIVERY_TIMEOUT_MS: a single delivering instance never gets there by retrying.
      await receiver.waitUntil(() => receiver.heldCount >= held, 10_000, `${held} held deliveries (both instances delivering)`);
    } finally {
      receiver.releaseHeld(200);
    }

    const settled = async () =>
      (await owner.query(`SELECT count(*)::int AS n FROM notifications WHERE tenant_id = $1 AND id = ANY($2) AND status <> 'pending'`, [tenant, ids]))[0].n;
    for (let i = 0; i < 200 && (await settled()) < ids.length; i++) await new Promise((done) => setTimeout(done, 100));
    const statuses = await owner.query(`SELECT status, count(*)::int AS n FROM notifications WHERE tenant_id = $1 AND id = ANY($2) GROUP BY status`, [tenant, ids]);
    expect(statuses).toEqual([{ status: 'delivered', n: ids.length }]);
    // Nothing is left in the outbox, so nothing can be delivered again later.
    expect(await owner.query(`SELECT notification_id FROM notification_outbox WHERE tenant_id = $1 AND notification_id = ANY($2)`, [tenant, ids])).toEqual([]);

    // Exactly once each: no worker crashed and every delivery was answered 200 within the timeout, so
    // the contract's one cause of a redelivery (a lease running out unacknowledged) never arose; a
    // second request for any id would mean two instances delivered the same message.
    const requests = receiver.on('/scale');
    expect(requests.map((request) => request.eventId).sort()).toEqual([...ids].sort());
    expect(requests.every((request) => request.signatureValid === true)).toBe(true);
    expect(requests.map((request) => request.headers['sales-delivery-attempt'])).toEqual(ids.map(() => '1'));
    for (const request of requests) expect(JSON.parse(request.body).id).toBe(request.eventId);

    const attempts = await owner.query(
      `SELECT notification_id, attempt, outcome, worker_id FROM notification_attempts WHERE tenant_id = $1 AND notification_id = ANY($2)`,
      [tenant, ids],
    );
    expect(attempts).toHaveLength(ids.length);
    expect(attempts.every((row: { attempt: number; outcome: string }) => row.attempt === 1 && row.outcome === 'delivered')).toBe(true);
    // Worker ids are host:pid:random: both spawned processes delivered.
    const pids = new Set(attempts.map((row: { worker_id: string }) => Number(row.worker_id.split(':').at(-2))));
    expect(pids).toEqual(new Set([A.app.child.pid, B.app.child.pid]));
  });

  it.each(['legacy', 'modern'] as Era[])(
    'when an MCP client (%s) sends each request to the other instance than the last, then the whole conversation works without session affinity',
    async (era) => {
      // An account written through B's REST API, read through MCP on whichever instance.
      const seeded = await call(B, 'POST', '/api/v1/crm/accounts', token(CRM_WRITE, `mcp-seed-${randomUUID()}`), { name: `Scale ${era} ${randomUUID()}`, region: 'EMEA' });
      expect(seeded.status, seeded.text).toBe(201);

      // A client-side round robin: no balancer, no cookie, no session id to stick to.
      const served: { instance: string; method: string; status: number; sessionId: string | null }[] = [];
      let next = 0;
      const roundRobin = async (url: string | URL, init?: RequestInit): Promise<Response> => {
        const instance = both[next++ % 2]!;
        const target = new URL(url);
        target.host = new URL(instance.url).host;
        const rpc = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }) : undefined;
        const response = await fetch(target, init);
        served.push({ instance: instance.name, method: rpc?.method ?? init?.method ?? 'GET', status: response.status, sessionId: response.headers.get('mcp-session-id') });
        return response;
      };
      const client = new Client({ name: 'scale-out', version: '1.0.0' }, { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } });
      const transport = new StreamableHTTPClientTransport(new URL(`${A.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${token(Scope.CrmRead, `mcp-${era}-${randomUUID()}`)}` } },
        fetch: roundRobin,
      });
      await client.connect(transport);
      try {
        // Three requests a round, so each kind of request lands on A in one round and on B in the next.
        for (let round = 0; round < 2; round++) {
          const tools = await client.listTools();
          expect(tools.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['crm_get_account', 'crm_search_accounts']));
          const got = await client.callTool({ name: 'crm_get_account', arguments: { accountId: seeded.body.id } });
          expect(got.isError, JSON.stringify(got)).toBeFalsy();
          expect(got.structuredContent).toMatchObject({ id: seeded.body.id, name: seeded.body.name });
          const found = await client.callTool({ name: 'crm_search_accounts', arguments: { q: seeded.body.name, limit: 5 } });
          expect(found.isError, JSON.stringify(found)).toBeFalsy();
          expect(JSON.stringify(found.structuredContent)).toContain(seeded.body.id);
        }
      } finally {
        await client.close();
      }

      // Every kind of request was answered by both instances, and none minted a session to stick to.
      const servedBy = (method: string) => new Set(served.filter((entry) => entry.method === method).map((entry) => entry.instance));
      expect(servedBy('tools/list')).toEqual(new Set(['A', 'B']));
      expect(servedBy('tools/call')).toEqual(new Set(['A', 'B']));
      if (era === 'legacy') {
        const handshake = served.find((entry) => entry.method === 'initialize')!;
        const firstList = served.find((entry) => entry.method === 'tools/list')!;
        expect(handshake.instance).not.toBe(firstList.instance);
      }
      expect(served.filter((entry) => entry.method === 'tools/list' || entry.method === 'tools/call').every((entry) => entry.status === 200)).toBe(true);
      expect(served.every((entry) => entry.sessionId === null)).toBe(true);
    },
  );

  it('when one client spreads requests over A and B, then the per-client limit holds in total (429 + Retry-After after exactly the limit), not per instance', async () => {
    const list = '/api/v1/crm/accounts?limit=1';
    // Sequential, alternating A, B, A, B…: per-instance counting would admit all 16.
    const sequential = token(Scope.CrmRead, `rl-seq-${randomUUID()}`);
    const replies: Reply[] = [];
    for (let index = 0; index < PER_CLIENT_LIMIT + 4; index++) replies.push(await call(both[index % 2]!, 'GET', list, sequential));
    expect(replies.map((reply) => reply.status)).toEqual([...Array<number>(PER_CLIENT_LIMIT).fill(200), 429, 429, 429, 429]);
    for (const reply of replies.slice(PER_CLIENT_LIMIT)) {
      expect(Number(reply.headers.get('retry-after')), reply.instance).toBeGreaterThanOrEqual(1);
      expect(reply.body).toMatchObject({ error: 'rate_limited', limit: 'client' });
    }
    expect(new Set(replies.slice(PER_CLIENT_LIMIT).map((reply) => reply.instance))).toEqual(new Set(['A', 'B']));

    // At once, half on each instance: exactly the limit is admitted in total.
    const concurrent = token(Scope.CrmRead, `rl-race-${randomUUID()}`);
    const raced = await Promise.all(Array.from({ length: 2 * PER_CLIENT_LIMIT }, (_, index) => call(both[index % 2]!, 'GET', list, concurrent)));
    expect(raced.filter((reply) => reply.status === 200)).toHaveLength(PER_CLIENT_LIMIT);
    expect(raced.filter((reply) => reply.status === 429)).toHaveLength(PER_CLIENT_LIMIT);
    for (const reply of raced.filter((candidate) => candidate.status === 429)) expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
