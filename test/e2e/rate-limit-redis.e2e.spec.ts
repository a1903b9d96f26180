import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../../src/observability/metrics.service.js';
import { json } from '../helpers/http.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTenants, uniqueTenantId } from '../helpers/tenants.js';
import { TestIssuer } from '../helpers/test-issuer.js';
import { ProbeModule } from '../helpers/probe.module.js';

// The machine's Redis (CI starts it like Postgres); keys are per fresh tenant, so runs never collide.
const REDIS_URL = 'redis://127.0.0.1:6379';
// One audience for both instances, as behind a load balancer.
const AUDIENCE = 'https://sales-analytics.test/api';

describe('rate limits shared through Redis by two instances', () => {
  const issuer = new TestIssuer();
  const tenant = uniqueTenantId('rl-redis');
  let dropTenants: () => Promise<void>;
  let instances: TestApp[] = [];

  beforeAll(async () => {
    await issuer.start();
    dropTenants = await createTenants(tenant);
    const env = {
      AUTH_ISSUER: issuer.url,
      AUTH_AUDIENCE: AUDIENCE,
      REDIS_URL,
      RATE_LIMIT_PER_CLIENT_PER_MINUTE: '6',
      RATE_LIMIT_PER_TENANT_PER_MINUTE: '1000',
      RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '4',
    };
    instances = [await startTestApp(env, [ProbeModule]), await startTestApp(env, [ProbeModule])];
  });
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await issuer.stop();
    await dropTenants();
  });

  it('when one client spreads requests over both instances, then the budget holds across them', async () => {
    const token = issuer.mint(AUDIENCE, { claims: { org_id: tenant, client_id: 'shared-client' } });
    const statuses: number[] = [];
    for (let index = 0; index < 10; index++) {
      const response = await fetch(`${instances[index % 2]!.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${token}` } });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(await json(response)).toMatchObject({ error: 'rate_limited', limit: 'client' });
      } else {
        await response.body?.cancel();
      }
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(6);
    expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
  });

  it('when one address floods invalid tokens across both instances, then past its shared auth-failure budget it gets 429 on either, even with a good token', async () => {
    // Redis outlives test runs (a one-minute window): a fresh address per run.
    const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const good = issuer.mint(AUDIENCE, { claims: { org_id: tenant, client_id: 'flood-victim' } });
    const forged = `${good.slice(0, -6)}AAAAAA`;
    const call = (index: number, token: string, from = ip) =>
      fetch(`${instances[index % 2]!.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': from } });
    for (let index = 0; index < 4; index++) {
      const response = await call(index, forged);
      expect(response.status).toBe(401);
      await response.body?.cancel();
    }
    for (const index of [0, 1]) {
      const blocked = await call(index, good);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await json(blocked)).toMatchObject({ error: 'rate_limited', limit: 'auth_failures' });
    }
    const other = await call(0, good, `${ip.split('.').slice(0, 3).join('.')}.251`);
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });

  it('when requests race on both instances at once, then exactly the budget is admitted (the check and count are atomic)', async () => {
    const token = issuer.mint(AUDIENCE, { claims: { org_id: tenant, client_id: 'racing-client' } });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        fetch(`${instances[index % 2]!.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    for (const response of responses) await response.body?.cancel();
    expect(responses.filter((response) => response.status === 200)).toHaveLength(6);
    expect(responses.filter((response) => response.status === 429)).toHaveLength(14);
  });
});

describe('rate limits when Redis is unreachable', () => {
  const issuer = new TestIssuer();
  const tenant = uniqueTenantId('rl-noredis');
  let dropTenants: () => Promise<void>;
  let t: TestApp;

  beforeAll(async () => {
    await issuer.start();
    dropTenants = await createTenants(tenant);
    // Port 1 on loopback: connection refused at once.
    t = await startTestApp({ AUTH_ISSUER: issuer.url, REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_PER_CLIENT_PER_MINUTE: '2' }, [ProbeModule]);
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
    await dropTenants();
  });

  it('when the store cannot be reached, then requests pass (fail open) and the failures are counted', async () => {
    const token = issuer.mint(t.config.auth.audience, { claims: { org_id: tenant } });
    for (let index = 0; index < 4; index++) {
      const response = await fetch(`${t.baseUrl}/probe/sales`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    }
    const counted = /rate_limit_store_errors_total (\d+)/.exec(await t.app.get(MetricsService).scrape());
    // Each request asks twice (its address's auth-failure budget, then its client's and tenant's).
    expect(Number(counted?.[1])).toBe(8);
  });
});
