import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { TenantChangeFeed } from './tenant-change-feed.js';

interface Entry {
  version: number;
  expiresAt: number;
  value: Promise<unknown>;
}

/**
 * Answers of tenant-scoped reads, kept until the tenant's data changes (TenantChangeFeed) or the
 * TTL passes, whichever is first: agents ask the same analytics questions again and again, and an
 * answer that costs 10+ queries (a forecast: seconds at 1M deals) then costs none.
 *
 * - The version is read before computing: a change during the computation leaves an entry that is
 *   already stale, so it is never served.
 * - Concurrent misses of one key share one computation; a failed computation is not kept.
 * - Values are deep-frozen: a caller that tried to modify a shared answer would throw, not corrupt
 *   the next caller's.
 * - The key must hold everything the answer depends on besides the tenant's data (query, today).
 * - Bounded: least recently used entries go first.
 */
@Injectable()
export class TenantReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  /** Without a feed (standalone scripts: backtest, benches) nothing is cached. */
  constructor(
    @Optional() private readonly feed?: TenantChangeFeed,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.ttlMs = feed && config ? config.readCache.ttlSeconds * 1000 : 0;
    this.maxEntries = config?.readCache.maxEntries ?? 0;
    metrics?.registerGauge('read_cache_entries', 'Analytics answers kept (all tenants)', [], (gauge) => gauge.set(this.entries.size));
  }

  get<T>(tenantId: string, key: string, compute: () => Promise<T>): Promise<T> {
    const version = this.ttlMs > 0 ? this.feed?.version(tenantId) : undefined;
    if (version === undefined) {
      this.metrics?.recordReadCacheLookup('bypass');
      return compute();
    }
    const fullKey = `${tenantId}\u0000${key}`;
    const now = Date.now();
    const entry = this.entries.get(fullKey);
    if (entry && entry.version === version && entry.expiresAt > now) {
      // Re-inserted: the Map's order is the LRU order.
      this.entries.delete(fullKey);
      this.entries.set(fullKey, entry);
      this.metrics?.recordReadCacheLookup('hit');
      return entry.value as Promise<T>;
    }
    this.metrics?.recordReadCacheLookup('miss');
    const value = compute().then(deepFreeze);
    const fresh: Entry = { version, expiresAt: now + this.ttlMs, value };
    this.entries.delete(fullKey);
    this.entries.set(fullKey, fresh);
    value.catch(() => {
      if (this.entries.get(fullKey) === fresh) this.entries.delete(fullKey);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
