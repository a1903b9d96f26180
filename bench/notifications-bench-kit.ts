import 'reflect-metadata';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app.factory.js';
import { Scope } from '../src/auth/scope.js';
import { parseConfig } from '../src/config/app-config.js';
import { findFreePort, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { TestIssuer } from '../test/helpers/test-issuer.js';

/** TEST_DATABASE_URL / DATABASE_URL (its name must say test or bench), else an embedded Postgres in a temp dir. */
export async function benchDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url) {
    const name = new URL(url).pathname.slice(1);
    if (!/test|bench/i.test(name)) throw new Error(`refusing database "${name}": its name must contain "test" or "bench"`);
    return { url, stop: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sales-bench-pg-'));
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres(dir, () => {}, 'sales_bench');
  return {
    url: embedded.url,
    stop: async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A webhook receiver that answers 200 at once and records when each event id first arrived. */
export class BenchReceiver {
  url = '';
  readonly firstSeen = new Map<string, number>();
  requests = 0;
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        this.requests++;
        const id = String(request.headers['sales-event-id']);
        if (!this.firstSeen.has(id)) this.firstSeen.set(id, performance.now());
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  reset(): void {
    this.firstSeen.clear();
    this.requests = 0;
  }

  async waitFor(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.firstSeen.size < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.firstSeen.size}/${count} delivered within ${timeoutMs} ms`);
      await new Promise((done) => setTimeout(done, 10));
    }
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((done) => this.server?.close(() => done()));
  }
}

export interface BenchApp {
  app: NestFastifyApplication;
  url: string;
  token: string;
}

/** The real app on 127.0.0.1 (production mode, warn logs, no HTTP rate limits), its worker on or off. */
export async function startBenchApp(databaseUrl: string, issuer: TestIssuer, tenant: string, worker: { enabled: boolean; concurrency: number }): Promise<BenchApp> {
  const port = await findFreePort();
  const config = parseConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    AUTH_ISSUER: issuer.url,
    NOTIFY_WORKER_ENABLED: String(worker.enabled),
    NOTIFY_WORKER_CONCURRENCY: String(worker.concurrency),
    NOTIFY_ALLOW_LOCAL_HOSTS: '127.0.0.1',
    NOTIFY_POLL_INTERVAL_MS: '200',
    NOTIFY_RATE_LIMIT: '1000000',
  });
  const app = await createApp({ config, databaseUrl });
  await app.listen(port, '127.0.0.1');
  const token = issuer.mint(config.auth.audience, {
    claims: { org_id: tenant, scope: `${Scope.NotificationsSend} ${Scope.NotificationsManage}`, exp: Math.floor(Date.now() / 1000) + 3000 },
  });
  return { app, url: `http://127.0.0.1:${port}`, token };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
