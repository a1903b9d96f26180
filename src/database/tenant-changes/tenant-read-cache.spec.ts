import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../config/app-config.js';
import type { TenantChangeFeed } from './tenant-change-feed.js';
import { TenantReadCache } from './tenant-read-cache.js';

/** A feed whose versions the test moves by hand (the real one is exercised in test/e2e/read-cache). */
function feed() {
  const versions = new Map<string, number>();
  let live = true;
  return {
    version: (tenant: string) => (live ? (versions.get(tenant) ?? 0) : undefined),
    bump: (tenant: string) => versions.set(tenant, (versions.get(tenant) ?? 0) + 1),
    setLive: (value: boolean) => (live = value),
  };
}

function cache(f: ReturnType<typeof feed>, ttlSeconds = 60, maxEntries = 100) {
  return new TenantReadCache(f as unknown as TenantChangeFeed, { readCache: { ttlSeconds, maxEntries } } as AppConfig);
}

describe('TenantReadCache', () => {
  it('serves a kept answer until the tenant’s version moves, per tenant and key', async () => {
    const f = feed();
    const c = cache(f);
    let n = 0;
    const compute = async () => ({ n: ++n });
    expect(await c.get('a', 'k', compute)).toEqual({ n: 1 });
    expect(await c.get('a', 'k', compute)).toEqual({ n: 1 });
    expect(await c.get('a', 'other', compute)).toEqual({ n: 2 });
    expect(await c.get('b', 'k', compute)).toEqual({ n: 3 });
    f.bump('a');
    expect(await c.get('a', 'k', compute)).toEqual({ n: 4 });
    expect(await c.get('b', 'k', compute)).toEqual({ n: 3 });
  });

  it('shares one computation between concurrent misses, and keeps no failure', async () => {
    const c = cache(feed());
    const compute = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 42;
    });
    expect(await Promise.all([c.get('a', 'k', compute), c.get('a', 'k', compute)])).toEqual([42, 42]);
    expect(compute).toHaveBeenCalledTimes(1);
    const failing = vi.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValueOnce(7);
    await expect(c.get('a', 'f', failing)).rejects.toThrow('db down');
    expect(await c.get('a', 'f', failing)).toBe(7);
  });

  it('never keeps an answer computed while the version moved under it', async () => {
    const f = feed();
    const c = cache(f);
    let n = 0;
    await c.get('a', 'k', async () => {
      f.bump('a'); // a write commits while the answer is being computed
      return ++n;
    });
    expect(await c.get('a', 'k', async () => ++n)).toBe(2);
  });

  it('caches nothing while the feed is down, or with a TTL of 0, and drops entries past the TTL or the bound', async () => {
    const f = feed();
    let n = 0;
    const compute = async () => ++n;
    f.setLive(false);
    const c = cache(f);
    expect([await c.get('a', 'k', compute), await c.get('a', 'k', compute)]).toEqual([1, 2]);
    f.setLive(true);
    const off = cache(f, 0);
    expect([await off.get('a', 'k', compute), await off.get('a', 'k', compute)]).toEqual([3, 4]);
    const small = cache(f, 60, 2);
    await small.get('a', '1', compute); // 5
    await small.get('a', '2', compute); // 6
    await small.get('a', '1', compute); // hit: '1' is now the most recent
    await small.get('a', '3', compute); // 7, evicts '2'
    expect(await small.get('a', '1', compute)).toBe(5);
    expect(await small.get('a', '2', compute)).toBe(8);
    vi.useFakeTimers({ now: Date.now() });
    try {
      const timed = cache(f, 1);
      expect(await timed.get('a', 'k', compute)).toBe(9);
      vi.setSystemTime(Date.now() + 1_001);
      expect(await timed.get('a', 'k', compute)).toBe(10);
    } finally {
      vi.useRealTimers();
    }
  });

  it('hands out frozen answers, so no caller can change what the next one gets', async () => {
    const c = cache(feed());
    const answer = await c.get('a', 'k', async () => ({ rows: [{ amount: 1 }] }));
    expect(() => {
      answer.rows[0].amount = 2;
    }).toThrow(TypeError);
  });

  it('without a feed (standalone scripts), computes every time', async () => {
    const c = new TenantReadCache();
    let n = 0;
    expect([await c.get('a', 'k', async () => ++n), await c.get('a', 'k', async () => ++n)]).toEqual([1, 2]);
  });
});
