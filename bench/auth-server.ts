import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { createApp } from '../src/app.factory.js';
import { Public } from '../src/auth/public.decorator.js';
import { RequireScopes } from '../src/auth/require-scopes.decorator.js';
import { Scope } from '../src/auth/scope.js';
import { VerifiedTokenCache } from '../src/auth/verified-token-cache.js';
import { parseConfig } from '../src/config/app-config.js';
import { createDataSource } from '../src/database/data-source.js';
import { findFreePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migrate.js';
import { TestIssuer } from '../test/helpers/test-issuer.js';

/**
 * The server side of bench/auth.bench.ts, run as its own process (so the load generator does not
 * share its event loop, and `--cpu-prof` profiles the server alone): the real app, a real JWKS on
 * 127.0.0.1, and one route answered twice — behind a token with a scope, and public.
 * Prints one JSON line `{ "url", "token" }` once listening; exits cleanly on SIGTERM.
 * BENCH_TOKEN_CACHE=off runs it without the verified-token cache (every request fully verified).
 */
const BODY = { ok: true, data: { region: 'North America', revenue: 1_250_000, currency: 'USD' } };

@Controller('bench')
class BenchController {
  @Get('auth')
  @RequireScopes(Scope.CrmRead)
  authenticated() {
    return BODY;
  }

  @Get('public')
  @Public()
  open() {
    return BODY;
  }
}

@Module({ controllers: [BenchController] })
class BenchModule {}

async function database(): Promise<{ url: string; stop(): Promise<void> }> {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (url) {
    // The bench writes (and removes) a tenant row: never on a database that is not for tests.
    const name = new URL(url).pathname.slice(1);
    if (!/test|bench/i.test(name)) throw new Error(`refusing database "${name}": its name must contain "test" or "bench"`);
    return { url, stop: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sales-bench-pg-'));
  const { chmod } = await import('node:fs/promises');
  await chmod(dir, 0o755);
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres(dir, () => {}, 'sales_bench');
  return {
    url: embedded.url,
    stop: async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const db = await database();
  await runMigrations(db.url);
  const tenant = `bench-${process.pid}`;
  const admin = createDataSource({ url: db.url, asAppRole: false, poolSize: 1 });
  await admin.initialize();
  await admin.query('INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [tenant]);

  const issuer = await new TestIssuer().start();
  const port = await findFreePort();
  const config = parseConfig({
    NODE_ENV: 'production',
    // Request lines at info would be written for every request; warn keeps the log off the hot path
    // for both routes alike (the ratio is what is measured).
    LOG_LEVEL: 'warn',
    // The per-IP limiter would answer 429 to a load generator on 127.0.0.1.
    RATE_LIMIT_ENABLED: 'false',
    DATABASE_URL: db.url,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    AUTH_ISSUER: issuer.url,
  });
  const app = await createApp({ config, databaseUrl: db.url, extraImports: [BenchModule] });
  if (process.env.BENCH_TOKEN_CACHE === 'off') app.get(VerifiedTokenCache).capacity = 0;
  await app.listen(port, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  // A token valid for the whole run (agents reuse one token for many calls).
  const token = issuer.mint(config.auth.audience, {
    claims: { org_id: tenant, scope: `${Scope.CrmRead} ${Scope.SalesDataRead}`, exp: Math.floor(Date.now() / 1000) + 3000 },
  });
  const warm = await fetch(`${url}/bench/auth`, { headers: { authorization: `Bearer ${token}` } });
  if (warm.status !== 200) throw new Error(`warm-up request answered ${warm.status}: ${await warm.text()}`);

  process.stdout.write(`${JSON.stringify({ url, token })}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await issuer.stop();
    await admin.query('DELETE FROM tenants WHERE id = $1', [tenant]);
    await admin.destroy();
    await db.stop();
    // A normal exit, so that --cpu-prof writes its profile.
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop()).on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
