import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { runMigrations } from '../../src/database/migrate.js';
import { MetricsService } from '../../src/observability/metrics.service.js';
import { json } from '../helpers/http.js';
import { SalesFixtures } from '../helpers/sales-fixtures.js';
import { startTestApp, testDatabaseUrl, type TestApp } from '../helpers/test-app.js';
import { TestIssuer } from '../helpers/test-issuer.js';

const SALES = 'mcp:tools:sales-data:read mcp:tools:crm:write mcp:tools:crm:read';
const REVENUE = '/api/v1/sales/revenue?from=2024-01-01&to=2024-12-31&interval=year';
const today = new Date().toISOString().slice(0, 10);

/**
 * Analytics answers are cached per tenant until its CRM data changes (TenantReadCache +
 * TenantChangeFeed). To see the cache at all, a test changes rows with triggers switched off
 * (`session_replication_role = replica`): no notification, so a cached answer stays as it was —
 * the proof that it was served without asking Postgres. Every other way of changing data must
 * show at once (this instance) or within moments (another instance, a script, an admin).
 *
 * The spec has a database of its own: notifications are per database, and other specs' fixture
 * writes (as the owner, no tenant set) would otherwise flush these caches at random moments.
 */
describe('cached analytics answers (TenantReadCache over LISTEN/NOTIFY)', () => {
  const tenantA = 'cache-a';
  const tenantB = 'cache-b';
  const databaseUrl = (() => {
    const url = new URL(testDatabaseUrl());
    url.pathname = `${url.pathname}_readcache_${process.pid}`;
    return url.toString();
  })();
  let runDb: DataSource;
  let issuer: TestIssuer;
  let app: TestApp;
  let other: TestApp;
  let owner: DataSource;
  let sales: SalesFixtures;
  let token: string;
  let accountId: string;
  let opportunityId: string;
  const f = { t: undefined as unknown as TestApp, tenantA, tenantB };

  const total = async (base: string) => (await json(await fetch(`${base}${REVENUE}`, { headers: { authorization: `Bearer ${token}` } }))).total as number;
  /** Changes an amount without firing the notify trigger: invisible to every cache. */
  const silentlySetAmount = (amount: number) =>
    owner.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`UPDATE opportunities SET amount = $3 WHERE tenant_id = $1 AND id = $2`, [f.tenantA, opportunityId, amount]);
    });
  const eventually = async (read: () => Promise<number>, expected: number) => {
    const deadline = Date.now() + 5_000;
    let seen = await read();
    while (seen !== expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      seen = await read();
    }
    return seen;
  };

  beforeAll(async () => {
    runDb = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
    await runDb.initialize();
    const name = new URL(databaseUrl).pathname.slice(1);
    await runDb.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await runDb.query(`CREATE DATABASE "${name}"`);
    await runMigrations(databaseUrl);
    owner = createDataSource({ url: databaseUrl, asAppRole: false, poolSize: 2 });
    await owner.initialize();
    for (const id of [tenantA, tenantB]) await owner.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [id]);
    issuer = await new TestIssuer().start();
    app = await startTestApp({ AUTH_ISSUER: issuer.url, DATABASE_URL: databaseUrl });
    f.t = app;
    // A second instance on the same database, as behind a load balancer.
    other = await startTestApp({ AUTH_ISSUER: issuer.url, AUTH_AUDIENCE: app.config.auth.audience, DATABASE_URL: databaseUrl });
    sales = await SalesFixtures.open(databaseUrl);
    token = issuer.mint(app.config.auth.audience, { claims: { org_id: tenantA, scope: SALES } });
    accountId = await sales.account(f.tenantA, { name: 'Cached Co', region: 'West' });
    [opportunityId] = await sales.deals(f.tenantA, [
      { accountId, amount: 1000, stage: 'closed_won', closeDate: '2024-03-10', createdAt: '2024-02-01T09:00:00Z' },
    ]);
  });

  afterAll(async () => {
    await other?.close();
    await app?.close();
    await issuer?.stop();
    await sales?.close();
    await owner?.destroy();
    if (runDb?.isInitialized) {
      await runDb.query(`DROP DATABASE IF EXISTS "${new URL(databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
      await runDb.destroy();
    }
  });

  it('when the data changes behind every cache’s back, then the cached answer is served unchanged — on each instance', async () => {
    expect(await total(f.t.baseUrl)).toBe(1000);
    expect(await total(other.baseUrl)).toBe(1000);
    await silentlySetAmount(1500);
    expect(await total(f.t.baseUrl)).toBe(1000);
    expect(await total(other.baseUrl)).toBe(1000);
  });

  it('when this instance writes through the API, then its next answer shows the write at once, and the other instance’s within moments', async () => {
    await silentlySetAmount(1000);
    expect(await total(f.t.baseUrl)).toBe(1000);
    expect(await total(other.baseUrl)).toBe(1000);
    const patched = await fetch(`${f.t.baseUrl}/api/v1/crm/opportunities/${opportunityId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': '*' },
      body: JSON.stringify({ amount: 2000 }),
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    // No wait: read-your-writes on the instance that wrote.
    expect(await total(f.t.baseUrl)).toBe(2000);
    expect(await eventually(() => total(other.baseUrl), 2000)).toBe(2000);
  });

  it('when a script or an admin changes rows in Postgres directly (with or without a tenant), then every instance drops its answers', async () => {
    expect(await total(f.t.baseUrl)).toBe(2000);
    await sales.deals(f.tenantA, [{ accountId, amount: 500, stage: 'closed_won', closeDate: '2024-06-10', createdAt: '2024-05-01T09:00:00Z' }]);
    expect(await eventually(() => total(f.t.baseUrl), 2500)).toBe(2500);
    expect(await eventually(() => total(other.baseUrl), 2500)).toBe(2500);
    // As the owner with no tenant set (a migration, psql): the notification names no tenant, so all go.
    await owner.query(`UPDATE opportunities SET amount = 700 WHERE tenant_id = $1 AND amount = 500`, [f.tenantA]);
    expect(await eventually(() => total(f.t.baseUrl), 2700)).toBe(2700);
    expect(await eventually(() => total(other.baseUrl), 2700)).toBe(2700);
  });

  it('when another tenant’s data changes, then this tenant’s cached answer stays', async () => {
    expect(await total(f.t.baseUrl)).toBe(2700);
    await silentlySetAmount(1);
    await sales.deals(f.tenantB, [{ amount: 9, stage: 'closed_won', closeDate: '2024-06-10', createdAt: '2024-05-01T09:00:00Z' }]);
    // Give tenant B's notification time to arrive; tenant A's answer must not have been dropped.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await total(f.t.baseUrl)).toBe(2700);
    await owner.query(`UPDATE opportunities SET amount = 1000 WHERE tenant_id = $1 AND id = $2`, [f.tenantA, opportunityId]);
    expect(await eventually(() => total(f.t.baseUrl), 1700)).toBe(1700);
  });

  it('when the change feed loses its connection, then nothing is cached until it is back, and answers are fresh after', async () => {
    expect(await total(f.t.baseUrl)).toBe(1700);
    const killed = await owner.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'sales-analytics-change-feed' AND datname = current_database()`);
    expect(killed.length).toBe(2);
    // Changes made while no one listens (no notification can reach anyone) must not be hidden by a cache.
    await silentlySetAmount(3000);
    expect(await eventually(() => total(f.t.baseUrl), 3700)).toBe(3700);
    expect(await eventually(() => total(other.baseUrl), 3700)).toBe(3700);
    // Back to caching once the feed has reconnected (its first retry comes after 250 ms): a
    // silent change stops showing.
    const deadline = Date.now() + 15_000;
    let cachedAgain = false;
    for (let amount = 4000; !cachedAgain && Date.now() < deadline; amount += 1) {
      const before = await total(f.t.baseUrl);
      await silentlySetAmount(amount);
      cachedAgain = (await total(f.t.baseUrl)) === before;
      if (!cachedAgain) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(cachedAgain).toBe(true);
  });

  it('when answers are served, then Prometheus counts hits and misses and shows the change feed up', async () => {
    const metrics = app.app.get(MetricsService);
    const count = async (outcome: string) => Number(new RegExp(`^read_cache_lookups_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(await metrics.scrape())?.[1] ?? 0);
    const [hits, misses] = [await count('hit'), await count('miss')];
    await fetch(`${app.baseUrl}/api/v1/sales/revenue?from=2023-01-01&to=2023-12-31&interval=quarter`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${app.baseUrl}/api/v1/sales/revenue?from=2023-01-01&to=2023-12-31&interval=quarter`, { headers: { authorization: `Bearer ${token}` } });
    expect(await count('miss')).toBe(misses + 1);
    expect(await count('hit')).toBe(hits + 1);
    expect(await metrics.scrape()).toMatch(/^tenant_change_feed_up 1$/m);
  });

  it('when the forecast and pipeline are asked twice, then the answers are identical and the pipeline is dated today', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const first = await (await fetch(`${f.t.baseUrl}/api/v1/sales/pipeline`, { headers: auth })).text();
    const second = await (await fetch(`${f.t.baseUrl}/api/v1/sales/pipeline`, { headers: auth })).text();
    expect(second).toBe(first);
    expect(JSON.parse(first).asOf).toBe(today);
  });
});
