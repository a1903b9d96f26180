import type { SnapshotRow } from './forecast.repository.js';

/** Entries kept (one per tenant × filters × asOf); a few KB each. */
const MAX_ENTRIES = 200;
/** Upper bound on staleness for what the history version cannot see (a deleted deal, an account moved to another region). */
const TTL_MS = 10 * 60_000;

interface Entry {
  version: string;
  storedAt: number;
  rows: SnapshotRow[];
}

/**
 * The pipeline snapshots are the expensive part of a forecast (one pass over the tenant's whole
 * stage history: seconds at 1M deals) and change only when the history does. Entries are keyed by
 * tenant, filters and asOf and valid while the tenant's history has not grown (its highest row
 * id: the history is append-only) and for at most TTL_MS. Per process; instances need not agree.
 */
export class SnapshotCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string, version: string): SnapshotRow[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.version !== version || this.now() - entry.storedAt > TTL_MS) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert: Map order is the LRU order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.rows;
  }

  set(key: string, version: string, rows: SnapshotRow[]): void {
    this.entries.delete(key);
    this.entries.set(key, { version, storedAt: this.now(), rows });
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}
