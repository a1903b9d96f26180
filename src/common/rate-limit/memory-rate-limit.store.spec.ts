import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import type { RateLimitRule } from './rate-limit.store.js';
import { admits, retryAfterMs, slidingEstimate } from './sliding-window.js';

const WINDOW = 60_000;
const client: RateLimitRule = { dimension: 'client', key: 'client:t:c', limit: 3 };
const tenant: RateLimitRule = { dimension: 'tenant', key: 'tenant:t', limit: 4 };

describe('sliding window', () => {
  it('when half of the previous window still overlaps, then half its count weighs in', () => {
    expect(slidingEstimate({ previous: 10, current: 2, elapsedMs: 30_000 }, WINDOW)).toBe(7);
    expect(admits({ previous: 10, current: 2, elapsedMs: 30_000 }, 8, WINDOW)).toBe(true);
    expect(admits({ previous: 10, current: 2, elapsedMs: 30_000 }, 7, WINDOW)).toBe(false);
  });

  it('when refused for the previous window\'s weight, then retry comes once enough of it has faded', () => {
    // 10 × (60 − 30 − t) / 60 + 2 + 1 ≤ 7 → t ≥ 6 s
    expect(retryAfterMs({ previous: 10, current: 2, elapsedMs: 30_000 }, 7, WINDOW)).toBe(6_000);
  });

  it('when the current window alone is full, then retry is in the next window once its weight fades', () => {
    // 15 s to the edge, then 4 × (60 − t′) / 60 + 1 ≤ 4 → t′ ≥ 15 s
    expect(retryAfterMs({ previous: 0, current: 4, elapsedMs: 45_000 }, 4, WINDOW)).toBe(30_000);
  });
});

describe('memory rate-limit store', () => {
  let now = 1_000 * WINDOW;
  const stores: MemoryRateLimitStore[] = [];
  const makeStore = () => {
    const store = new MemoryRateLimitStore(WINDOW, () => now);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('when a rule is exhausted, then the request is refused and counted in no rule', () => {
    const store = makeStore();
    for (let index = 0; index < 3; index++) expect(store.consume([client, tenant]).allowed).toBe(true);
    const refused = store.consume([client, tenant]);
    expect(refused).toMatchObject({ allowed: false, rule: client });
    // The tenant saw 3, not 4: one more from another client passes.
    expect(store.consume([{ ...client, key: 'client:t:other' }, tenant]).allowed).toBe(true);
    expect(store.consume([{ ...client, key: 'client:t:other' }, tenant])).toMatchObject({ allowed: false, rule: tenant });
  });

  it('when the window slides past, then the budget returns gradually, not all at once', () => {
    const store = makeStore();
    for (let index = 0; index < 3; index++) store.consume([client]);
    now += WINDOW; // next window, previous (3) weighs fully
    expect(store.consume([client]).allowed).toBe(false);
    now += WINDOW / 2; // previous weighs 1.5
    expect(store.consume([client]).allowed).toBe(true);
    expect(store.consume([client]).allowed).toBe(false);
    now += WINDOW; // two windows later: all forgotten
    expect(store.consume([client]).allowed).toBe(true);
  });

  it('when peeking and adding, then only adds count', () => {
    const store = makeStore();
    const rule: RateLimitRule = { dimension: 'auth_failures', key: 'authfail:ip', limit: 2 };
    expect(store.peek(rule).allowed).toBe(true);
    expect(store.peek(rule).allowed).toBe(true);
    store.add(rule.key);
    store.add(rule.key);
    expect(store.peek(rule)).toMatchObject({ allowed: false });
  });

  it('when keys go quiet for two windows, then the sweep forgets them', async () => {
    const store = makeStore();
    store.consume([client, tenant]);
    expect(store.size).toBe(2);
    now += 2 * WINDOW + 1;
    (store as unknown as { sweep(): void }).sweep();
    expect(store.size).toBe(0);
  });
});
