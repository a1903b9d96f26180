import { randomUUID } from 'node:crypto';
import { Agent, type ClientRequest, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../src/database/data-source.js';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { spawnApp, waitForOk, type AppProcess } from '../helpers/app-process.js';
import { testDatabaseUrl } from '../helpers/test-app.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';
import { TestIssuer } from '../helpers/test-issuer.js';

const GRACE_MS = 20_000;

interface Reply {
  status: number;
  connection: string | undefined;
  body: string;
}

/**
 * A write whose request is in flight for as long as the test wants: headers and half the body go
 * now, the rest when `finish()` is called. Its connection asks to be kept alive, as a pooling
 * client's would.
 */
function slowWrite(port: number, token: string, name: string) {
  const body = Buffer.from(JSON.stringify({ name, region: 'EMEA' }));
  const half = Math.floor(body.length / 2);
  let request!: ClientRequest;
  const reply = new Promise<Reply>((resolve, reject) => {
    request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/crm/accounts',
        method: 'POST',
        agent: new Agent({ keepAlive: true, maxSockets: 1 }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(body.length) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, body: text }));
      },
    );
    request.on('error', reject);
    request.write(body.subarray(0, half));
  });
  const finish = async () => {
    // The rest trickles in over ~1 s, well inside the request timeout.
    for (let index = half; index < body.length; index += 4) {
      request.write(body.subarray(index, index + 4));
      await new Promise((done) => setTimeout(done, 1_000 / Math.ceil((body.length - half) / 4)));
    }
    request.end();
    return reply;
  };
  return { finish };
}

/** One GET on a fresh connection: its status, or the connection error's code. */
function freshGet(port: number, path: string, token?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path, agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    request.setTimeout(10_000, () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    request.end();
  });
}

describe('SIGTERM under load (T81)', () => {
  const issuer = new TestIssuer();
  const tenant = uniqueTenantId('shutdown');
  let dropTenants: () => Promise<void>;
  let app: AppProcess;
  let port: number;
  let token: string;

  beforeAll(async () => {
    await issuer.start();
    dropTenants = await createTenants(tenant);
    port = await findFreePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    app = spawnApp({
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      DATABASE_URL: testDatabaseUrl(),
      AUTH_ISSUER: issuer.url,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      NOTIFY_WORKER_ENABLED: 'false',
      RATE_LIMIT_PER_CLIENT_PER_MINUTE: '100000',
    });
    await waitForOk(`${publicUrl}/health/ready`, 60_000, app);
    token = issuer.mint(publicUrl, { claims: { org_id: tenant, scope: 'mcp:tools:crm:read mcp:tools:crm:write' } });
  }, 90_000);

  afterAll(async () => {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
    await issuer.stop();
    await dropTenants();
  });

  it('when SIGTERM arrives mid-load, then in-flight writes complete once, new connections are refused, and it exits 0 within the grace period', async () => {
    const names = Array.from({ length: 3 }, () => `Shutdown ${randomUUID()}`);
    const writes = names.map((name) => slowWrite(port, token, name));
    // Steady load on fresh connections until the listener refuses them.
    const loadResults: (number | string)[] = [];
    let loading = true;
    const load = (async () => {
      const deadline = Date.now() + 30_000;
      while (loading && Date.now() < deadline) {
        const result = await freshGet(port, '/api/v1/crm/accounts?limit=1', token);
        loadResults.push(result);
        if (result === 'ECONNREFUSED') break;
      }
    })();
    await new Promise((done) => setTimeout(done, 500));
    expect(loadResults.filter((result) => result === 200).length).toBeGreaterThan(0);

    const signalledAt = Date.now();
    app.child.kill('SIGTERM');

    // New connections are refused soon after the signal…
    let refusedAfterMs: number | undefined;
    while (Date.now() - signalledAt < 5_000) {
      if ((await freshGet(port, '/health/live')) === 'ECONNREFUSED') {
        refusedAfterMs = Date.now() - signalledAt;
        break;
      }
      await new Promise((done) => setTimeout(done, 50));
    }
    expect(refusedAfterMs, 'new connections refused after SIGTERM').toBeDefined();
    expect(app.child.exitCode, 'still running while requests are in flight').toBeNull();

    // …while the in-flight writes, whose bodies are still arriving, complete normally and close their connections.
    const replies = await Promise.all(writes.map((write) => write.finish()));
    for (const reply of replies) {
      expect(reply.status, reply.body).toBe(201);
      expect(reply.connection).toBe('close');
    }
    loading = false;
    await load;

    const code = await app.exited;
    const exitedAfterMs = Date.now() - signalledAt;
    expect(code, app.output()).toBe(0);
    expect(exitedAfterMs).toBeLessThan(GRACE_MS);

    // The load saw answers, then refusals: never a hang, and no reset — except possibly the one
    // connection opened just as the listener closed: still in the kernel's accept queue (reset by
    // the kernel), or accepted with its request not yet read (Node's close() ends such connections
    // as idle). Seen once in ~10 CI runs; clients and load balancers retry a reset on connect.
    // That one can only be the attempt right before the first refusal; a reset anywhere else fails.
    const boundaryReset = (index: number) => index === loadResults.length - 2 && loadResults.at(-1) === 'ECONNREFUSED';
    expect(
      loadResults.every((result, index) => result === 200 || result === 'ECONNREFUSED' || (result === 'ECONNRESET' && boundaryReset(index))),
      loadResults.join(','),
    ).toBe(true);

    // Each in-flight write committed exactly once.
    const owner = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
    await owner.initialize();
    try {
      const rows: { name: string }[] = await owner.query('SELECT name FROM accounts WHERE tenant_id = $1 AND name = ANY($2)', [tenant, names]);
      expect(rows.map((row) => row.name).sort()).toEqual([...names].sort());
    } finally {
      await owner.destroy();
    }
  }, 90_000);
});
