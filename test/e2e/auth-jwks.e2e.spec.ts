import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JwksKeyStore } from '../../src/auth/jwks/key-store.js';
import { VerifiedTokenCache } from '../../src/auth/verified-token-cache.js';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';

// Small windows so the fault tests run in seconds; assertions are about order and generous deadlines,
// never tight latencies (the machine is a loaded 2-core box).
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
// The floods below are about what reaches the issuer; the app's per-IP limiter (T79, tested on its
// own) would otherwise answer 429 from 127.0.0.1 before the key store is ever asked.
const NO_RATE_LIMIT = { RATE_LIMIT_ENABLED: 'false' };

interface Outcome {
  status: number;
  sentAt: number;
  doneAt: number;
  retryAfter: string | null;
  body: unknown;
}

async function timed(f: AuthFixture, token: string, path = '/probe/crm'): Promise<Outcome> {
  const sentAt = Date.now();
  const response = await f.get(path, token);
  const body: unknown = await response.json().catch(() => undefined);
  return { status: response.status, sentAt, doneAt: Date.now(), retryAfter: response.headers.get('retry-after'), body };
}

const forgedAsK1 = (f: AuthFixture) => f.token({ header: { kid: 'k1' }, signWith: 'kA-rsa' });
const withKid = (f: AuthFixture, kid: string) => f.token({ header: { kid }, signWith: 'kA-rsa' });

async function waitUntil(check: () => Promise<boolean>, deadlineMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (await check()) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${deadlineMs} ms`);
}

describe('T69 JWKS endpoint down', () => {
  const CACHE = 1;
  const STALE = 3;
  let f: AuthFixture;
  beforeAll(async () => {
    f = await startAuthFixture({
      AUTH_JWKS_CACHE_SECONDS: String(CACHE),
      AUTH_JWKS_STALE_SECONDS: String(STALE),
      AUTH_JWKS_COOLDOWN_SECONDS: '1',
      AUTH_JWKS_TIMEOUT_MS: '500',
    });
  });
  afterAll(() => f.close());

  it('when the JWKS goes down after a warm-up, then cached k1 keeps 200 through the stale window, then 503 + Retry-After; never 401 for a good token, never 200 for a bad one', async () => {
    const warmSent = Date.now();
    expect((await timed(f, f.token())).status).toBe(200);
    const warmDone = Date.now();
    f.issuer.mode = 'down';
    const good: Outcome[] = [];
    const bad: Outcome[] = [];
    const windowMs = (CACHE + STALE) * 1000;
    while (Date.now() - warmDone < windowMs + 1500) {
      good.push(await timed(f, f.token()));
      bad.push(await timed(f, forgedAsK1(f)));
      await sleep(150);
    }
    for (const outcome of good) expect([200, 503]).toContain(outcome.status);
    for (const outcome of bad) expect([401, 503]).toContain(outcome.status);
    // The key set was fetched between warmSent and warmDone: whatever finished before warmSent + window
    // was decided inside it (200); whatever was sent after warmDone + window, outside it (503).
    const inside = good.filter((outcome) => outcome.doneAt < warmSent + windowMs);
    const outside = good.filter((outcome) => outcome.sentAt > warmDone + windowMs + 50);
    expect(inside.some((outcome) => outcome.sentAt > warmDone + CACHE * 1000), 'a stale (past cache age) 200 was seen').toBe(true);
    for (const outcome of inside) expect(outcome.status).toBe(200);
    expect(outside.length).toBeGreaterThan(0);
    for (const outcome of outside) {
      expect(outcome.status).toBe(503);
      expect(Number(outcome.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(outcome.body).toMatchObject({ error: 'unavailable' });
    }
    // Once out of keys, it stays out while the issuer is down: no flapping back to 200.
    const first503 = good.findIndex((outcome) => outcome.status === 503);
    expect(good.slice(first503).every((outcome) => outcome.status === 503)).toBe(true);
  });

  it('when a token names a new kid while the JWKS is down, then 503 or 401 within the fetch deadline', async () => {
    f.issuer.mode = 'down';
    await sleep(1100); // past the cooldown, so the unknown kid does trigger a fetch attempt
    const outcome = await timed(f, f.token({ header: { kid: 'k3' } }));
    expect([401, 503]).toContain(outcome.status);
    expect(outcome.doneAt - outcome.sentAt).toBeLessThan(500 + 2500);
  });

  it('when the JWKS comes back, then tokens are accepted again without a restart', async () => {
    f.issuer.mode = 'up';
    await waitUntil(async () => (await f.get('/probe/crm', f.token())).status === 200, 5000, 'k1 accepted again');
  });
});

describe('T69(c)/T74 cold start with the JWKS down', () => {
  let f: AuthFixture;
  beforeAll(async () => {
    f = await startAuthFixture({ ...NO_RATE_LIMIT, AUTH_JWKS_COOLDOWN_SECONDS: '1', AUTH_JWKS_TIMEOUT_MS: '500' });
    f.issuer.mode = 'down'; // before the app's first fetch: the app fetches lazily
  });
  afterAll(() => f.close());

  it('when the keys were never loaded, then readiness is 503, liveness 200, and a good token gets 503 + Retry-After (not 401)', async () => {
    const ready = await f.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await json(ready))).toContain('signing keys');
    expect((await f.get('/health/live')).status).toBe(200);
    const outcome = await timed(f, f.token());
    expect(outcome.status).toBe(503);
    expect(Number(outcome.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('when requests flood in while the keys cannot be had, then the JWKS is tried at most once per cooldown window', async () => {
    const before = f.issuer.jwksRequests;
    const started = Date.now();
    const statuses: number[] = [];
    while (Date.now() - started < 2000) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => f.get('/probe/crm', f.token())));
      statuses.push(...batch.map((response) => response.status));
    }
    const elapsedWindows = Math.ceil((Date.now() - started) / 1000);
    expect(new Set(statuses)).toEqual(new Set([503]));
    expect(f.issuer.jwksRequests - before).toBeLessThanOrEqual(elapsedWindows + 1);
  });

  it('when the JWKS comes up, then readiness turns 200 without a restart', async () => {
    f.issuer.mode = 'up';
    await waitUntil(async () => (await f.get('/health/ready')).status === 200, 5000, 'ready');
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
  });
});

describe('T70 JWKS slow or hanging', () => {
  let f: AuthFixture;
  // Long enough that, even on a loaded machine, the cached-key requests finish well inside it.
  const TIMEOUT_MS = 3000;
  beforeAll(async () => {
    f = await startAuthFixture({
      ...NO_RATE_LIMIT,
      AUTH_JWKS_CACHE_SECONDS: '1',
      AUTH_JWKS_STALE_SECONDS: '60',
      AUTH_JWKS_COOLDOWN_SECONDS: '3',
      AUTH_JWKS_TIMEOUT_MS: String(TIMEOUT_MS),
    });
  });
  afterAll(() => f.close());

  it('when the JWKS hangs, then k3 requests fail within the deadline while cached k1 requests and liveness answer first, with one fetch in flight', async () => {
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
    await sleep(3100); // cache due and cooldown over: the next request may refetch
    f.issuer.mode = 'slow';
    f.issuer.slowMs = 20_000;
    const before = f.issuer.jwksRequests;
    f.issuer.jwksMaxInFlight = 0;
    const k3 = Array.from({ length: 15 }, () => timed(f, f.token({ header: { kid: 'k3' } })));
    const k1 = Array.from({ length: 15 }, () => timed(f, f.token()));
    const live = timed(f, '', '/health/live');
    const [k3Outcomes, k1Outcomes, liveOutcome] = await Promise.all([Promise.all(k3), Promise.all(k1), live]);
    for (const outcome of k3Outcomes) {
      expect([401, 503]).toContain(outcome.status);
      expect(outcome.doneAt - outcome.sentAt).toBeLessThan(TIMEOUT_MS + 3000);
    }
    const firstK3Done = Math.min(...k3Outcomes.map((outcome) => outcome.doneAt));
    for (const outcome of k1Outcomes) {
      expect(outcome.status).toBe(200);
      expect(outcome.doneAt, 'a cached-key request waited for the hanging fetch').toBeLessThan(firstK3Done);
    }
    expect(liveOutcome.status).toBe(200);
    expect(liveOutcome.doneAt).toBeLessThan(firstK3Done);
    expect(f.issuer.jwksRequests - before).toBe(1);
    expect(f.issuer.jwksMaxInFlight).toBe(1);
  });

  it('when the JWKS drips one byte at a time, then the fetch still ends at the total deadline (not an inactivity timeout)', async () => {
    await sleep(3100);
    f.issuer.mode = 'drip';
    const outcome = await timed(f, f.token({ header: { kid: 'k3' } }));
    expect([401, 503]).toContain(outcome.status);
    expect(outcome.doneAt - outcome.sentAt).toBeLessThan(TIMEOUT_MS + 3000);
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
  });
});

describe('T71 unknown-kid flood', () => {
  let f: AuthFixture;
  beforeAll(async () => {
    f = await startAuthFixture({ ...NO_RATE_LIMIT, AUTH_JWKS_COOLDOWN_SECONDS: '1', AUTH_JWKS_TIMEOUT_MS: '1000' });
  });
  afterAll(() => f.close());

  it('when random kids flood in, then all get 401, the JWKS is fetched at most once per cooldown window, and k1 stays 200', async () => {
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
    const before = f.issuer.jwksRequests;
    const started = Date.now();
    const junk: number[] = [];
    const legit: number[] = [];
    while (Date.now() - started < 3000) {
      const batch = await Promise.all([
        ...Array.from({ length: 20 }, () => f.get('/probe/crm', withKid(f, randomUUID()))),
        f.get('/probe/crm', f.token()),
      ]);
      legit.push(batch.pop()!.status);
      junk.push(...batch.map((response) => response.status));
    }
    const windows = Math.ceil((Date.now() - started) / 1000);
    expect(junk.length).toBeGreaterThan(100);
    expect(new Set(junk)).toEqual(new Set([401]));
    expect(new Set(legit)).toEqual(new Set([200]));
    expect(f.issuer.jwksRequests - before).toBeLessThanOrEqual(windows + 1);
  });
});

describe('T72 key rotation without restart', () => {
  let f: AuthFixture;
  beforeAll(async () => {
    f = await startAuthFixture({ AUTH_JWKS_CACHE_SECONDS: '1', AUTH_JWKS_STALE_SECONDS: '30', AUTH_JWKS_COOLDOWN_SECONDS: '1' });
  });
  afterAll(() => f.close());

  it('when k3 is published and used, then the first k3 token costs at most one refetch and passes; k1 keeps working', async () => {
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
    const generation = f.t.app.get(JwksKeyStore).generation;
    f.issuer.published = ['k1', 'k2', 'k3'];
    await sleep(1100); // the cooldown since the warm-up fetch
    const before = f.issuer.jwksRequests;
    expect((await f.get('/probe/crm', f.token({ header: { kid: 'k3' } }))).status).toBe(200);
    expect(f.issuer.jwksRequests - before).toBeLessThanOrEqual(1);
    expect(f.t.app.get(JwksKeyStore).generation).toBeGreaterThan(generation);
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
  });

  it('when k1 is removed, then k1 tokens are rejected (401) within the cache age plus one fetch, and k3 keeps working', async () => {
    f.issuer.published = ['k2', 'k3'];
    const statuses: number[] = [];
    const tookMs = await waitUntil(
      async () => {
        const status = (await f.get('/probe/crm', f.token())).status;
        statuses.push(status);
        return status === 401;
      },
      1000 + 1000 + 4000,
      'k1 rejected after removal',
    );
    expect(tookMs).toBeLessThan(6000);
    expect(statuses.every((status) => status === 200 || status === 401)).toBe(true);
    expect((await f.get('/probe/crm', f.token({ header: { kid: 'k3' } }))).status).toBe(200);
  });

  it('when k3 is compromised and replaced by k4 (emergency), then k4 passes on first use and k3 is rejected within the same bound', async () => {
    f.issuer.published = ['k2', 'k4'];
    await sleep(1100);
    expect((await f.get('/probe/crm', f.token({ header: { kid: 'k4' } }))).status).toBe(200);
    await waitUntil(async () => (await f.get('/probe/crm', f.token({ header: { kid: 'k3' } }))).status === 401, 6000, 'k3 rejected');
  });
});

describe('T73 hostile or broken JWKS responses', () => {
  let f: AuthFixture;
  beforeAll(async () => {
    f = await startAuthFixture({
      AUTH_JWKS_CACHE_SECONDS: '600',
      AUTH_JWKS_STALE_SECONDS: '600',
      AUTH_JWKS_COOLDOWN_SECONDS: '0.3',
      AUTH_JWKS_TIMEOUT_MS: '1000',
    });
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
  });
  afterEach(() => {
    f.issuer.mode = 'up';
    f.issuer.published = ['k1', 'k2'];
    f.issuer.extraJwks = [];
  });
  afterAll(() => f.close());

  /** Forces a refetch (an unknown kid after the cooldown) and returns that request's status. */
  async function forceRefresh(): Promise<number> {
    await sleep(350);
    const before = f.issuer.jwksRequests;
    const status = (await f.get('/probe/crm', withKid(f, `force-${randomUUID()}`))).status;
    expect(f.issuer.jwksRequests - before, 'the unknown kid triggered one fetch').toBe(1);
    return status;
  }

  it.each(['garbage', 'huge', 'huge-valid', 'error', 'redirect', 'html'] as const)(
    'when the JWKS answers %s, then the refresh counts as unavailable (503), the last good keys keep serving, nothing crashes',
    async (mode) => {
      f.issuer.mode = mode;
      // 503, not 401: had the (valid) oversized set been read, or the redirect followed, the unknown
      // kid would simply be unknown (401). The redirect target is never even asked.
      expect(await forceRefresh()).toBe(503);
      expect(f.issuer.redirectTargetRequests).toBe(0);
      expect((await f.get('/probe/crm', f.token())).status).toBe(200);
      expect((await f.get('/probe/crm', forgedAsK1(f))).status).toBe(401);
      expect((await f.get('/health/live')).status).toBe(200);
    },
  );

  it('when the JWKS holds no keys, then that set is refused and the last good keys keep serving', async () => {
    f.issuer.published = [];
    expect(await forceRefresh()).toBe(503);
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
  });

  it('when two keys share a kid, then that kid fails closed (neither key is used); other kids still work', async () => {
    f.issuer.extraJwks = [{ ...f.issuer.jwk('kA-rsa'), kid: 'k1' }];
    await forceRefresh();
    expect((await f.get('/probe/crm', f.token())).status).toBe(401);
    expect((await f.get('/probe/crm', forgedAsK1(f))).status).toBe(401);
    expect((await f.get('/probe/crm', f.token({ header: { alg: 'ES256', kid: 'k2' } }))).status).toBe(200);
    f.issuer.extraJwks = [];
    await forceRefresh();
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
  });

  it('when a key is marked use=enc or is published with its private part, then it is not used for signatures', async () => {
    f.issuer.extraJwks = [{ ...f.issuer.jwk('k4'), use: 'enc' }, f.issuer.privateJwk('k3')];
    await forceRefresh();
    expect((await f.get('/probe/crm', f.token({ header: { kid: 'k4' } }))).status).toBe(401);
    expect((await f.get('/probe/crm', f.token({ header: { kid: 'k3' } }))).status).toBe(401);
  });

  it('when a key lacks alg, then it serves the algorithm family of its type (RS256 for RSA)', async () => {
    f.issuer.extraJwks = [{ ...f.issuer.jwk('k4'), alg: undefined }];
    await forceRefresh();
    expect((await f.get('/probe/crm', f.token({ header: { kid: 'k4' } }))).status).toBe(200);
    expect((await f.get('/probe/crm', f.token({ header: { kid: 'k4', alg: 'ES256' }, signWith: 'k2' }))).status).toBe(401);
  });

  it('when a weak (1024-bit) RSA key is published, then it is not used', async () => {
    f.issuer.extraJwks = [f.issuer.jwk('kW')];
    await forceRefresh();
    expect((await f.get('/probe/crm', f.token({ header: { kid: 'kW' } }))).status).toBe(401);
  });
});

describe('JWKS discovery (RFC 8414 / OpenID)', () => {
  const fixtures: AuthFixture[] = [];
  afterAll(async () => {
    for (const fixture of fixtures) await fixture.close();
  });
  const start = async (env: Parameters<typeof startAuthFixture>[0] = {}) => {
    const fixture = await startAuthFixture(env);
    fixtures.push(fixture);
    return fixture;
  };

  // (Other parts of the app, e.g. Swagger's Authorize button, may read the issuer metadata at boot:
  // the assertions count what happens across the first token request only.)
  it('when AUTH_JWKS_URI is unset, then jwks_uri is discovered from the issuer metadata', async () => {
    const f = await start();
    const before = f.issuer.metadataRequests;
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
    expect(f.issuer.metadataRequests - before).toBeGreaterThanOrEqual(1);
    expect(f.issuer.jwksRequests).toBe(1);
  });

  it('when AUTH_JWKS_URI is set, then it is used directly: the metadata is not read, and would not be trusted anyway', async () => {
    const f = await start((issuer) => ({ AUTH_JWKS_URI: issuer.jwksUri }));
    f.issuer.metadataIssuer = 'https://evil.example';
    const before = f.issuer.metadataRequests;
    expect((await f.get('/probe/crm', f.token())).status).toBe(200);
    expect(f.issuer.metadataRequests - before).toBe(0);
    expect(f.issuer.jwksRequests).toBe(1);
  });

  it('when the metadata names another issuer (even one differing by a trailing slash), then it is not trusted: no JWKS fetch, 503', async () => {
    for (const other of ['https://evil.example', '/']) {
      const f = await start({ AUTH_JWKS_COOLDOWN_SECONDS: '0' });
      f.issuer.metadataIssuer = other === '/' ? `${f.issuer.url}/` : other;
      const response = await f.get('/probe/crm', f.token());
      expect(response.status, other).toBe(503);
      expect(f.issuer.metadataRequests).toBeGreaterThanOrEqual(1);
      expect(f.issuer.jwksRequests).toBe(0);
    }
  });
});

describe('the verified-token cache changes no decision (one token reused, as agents do)', () => {
  let f: AuthFixture;
  beforeAll(async () => {
    f = await startAuthFixture({
      AUTH_JWKS_CACHE_SECONDS: '1',
      AUTH_JWKS_STALE_SECONDS: '2',
      AUTH_JWKS_COOLDOWN_SECONDS: '1',
      AUTH_JWKS_TIMEOUT_MS: '500',
      // Without leeway, a token past exp fails the full check at once: the cache must not outlive it.
      AUTH_CLOCK_TOLERANCE_SECONDS: '0',
    });
  });
  afterEach(() => {
    f.issuer.mode = 'up';
    f.issuer.published = ['k1', 'k2'];
    f.issuer.extraJwks = [];
  });
  afterAll(() => f.close());

  it('when the same token comes again, then it is answered from the cache, and the scope is still checked per request', async () => {
    const cache = f.t.app.get(VerifiedTokenCache);
    const token = f.token();
    const before = cache.size;
    expect((await f.get('/probe/crm', token)).status).toBe(200);
    expect(cache.size).toBe(before + 1);
    expect((await f.get('/probe/crm', token)).status).toBe(200);
    expect(cache.size).toBe(before + 1);
    const write = await fetch(`${f.t.baseUrl}/probe/crm`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(write.status).toBe(403);
  });

  it('when the token reaches exp, then the cached entry does not outlive it (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = f.token({ claims: { iat: now, nbf: now, exp: now + 2 } });
    expect((await f.get('/probe/crm', token)).status).toBe(200);
    await waitUntil(async () => (await f.get('/probe/crm', token)).status === 401, 5000, 'expired token refused');
  });

  it('when its key is removed from the JWKS, then a cached token is refused within the cache age plus one fetch', async () => {
    const token = f.token();
    expect((await f.get('/probe/crm', token)).status).toBe(200);
    f.issuer.published = ['k2'];
    await waitUntil(async () => (await f.get('/probe/crm', token)).status === 401, 6000, 'cached token refused after key removal');
  });

  it('when the key behind its kid is replaced (same kid, other key material), then a cached token is refused', async () => {
    await sleep(1100);
    const token = f.token();
    expect((await f.get('/probe/crm', token)).status).toBe(200);
    f.issuer.published = ['k2'];
    f.issuer.extraJwks = [{ ...f.issuer.jwk('kA-rsa'), kid: 'k1' }];
    await waitUntil(async () => (await f.get('/probe/crm', token)).status === 401, 6000, 'cached token refused after the key behind k1 changed');
  });

  it('when the JWKS stays down past the stale window, then a cached token gets 503 like any other, never 401', async () => {
    // Whatever an earlier test left in the app's key set, start from the real k1 again.
    await waitUntil(async () => (await f.get('/probe/crm', f.token())).status === 200, 6000, 'k1 served again');
    const token = f.token();
    expect((await f.get('/probe/crm', token)).status).toBe(200);
    f.issuer.mode = 'down';
    const statuses: number[] = [];
    await waitUntil(
      async () => {
        const status = (await f.get('/probe/crm', token)).status;
        statuses.push(status);
        return status === 503;
      },
      6000,
      'cached token 503 after the stale window',
    );
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
  });
});
