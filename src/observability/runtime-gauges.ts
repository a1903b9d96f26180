import type { DataSource } from 'typeorm';
import type { MetricsService } from './metrics.service.js';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

const OUTBOX_CACHE_MS = 5_000;

/** Connection pool of TypeORM's pg driver: read from memory at scrape time, no query. */
export function registerDbPoolGauges(metrics: MetricsService, dataSource: DataSource): void {
  const pool = () => (dataSource.driver as unknown as { master?: PgPool }).master;
  metrics.registerGauge('db_pool_connections', 'Database pool connections by state', ['state'] as const, (gauge) => {
    const current = pool();
    if (!current) return gauge.reset();
    gauge.set({ state: 'total' }, current.totalCount);
    gauge.set({ state: 'idle' }, current.idleCount);
    gauge.set({ state: 'waiting' }, current.waitingCount);
  });
  metrics.registerGauge('db_pool_max', 'Database pool size limit', [], (gauge) => {
    const max = pool()?.options?.max;
    if (max === undefined) return gauge.reset();
    gauge.set(max);
  });
}

/**
 * Depth of the notification outbox (rows waiting to be delivered) and the age of the oldest due
 * one. The table belongs to the notifications module and may not exist (older schema, module not
 * installed): then nothing is reported. Its row-level security admits cross-tenant reads only to
 * the worker's transaction-local `app.outbox_worker` setting, which this read-only count borrows.
 * Cached for a few seconds so that several scrapers do not multiply the query.
 */
export function registerOutboxGauges(metrics: MetricsService, dataSource: DataSource): void {
  let cached: { at: number; value?: { depth: number; oldestDueSeconds: number } } | undefined;
  const read = async () => {
    if (cached && Date.now() - cached.at < OUTBOX_CACHE_MS) return cached.value;
    const value = await dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('statement_timeout', '2000', true), set_config('app.outbox_worker', 'on', true)`);
      const [{ present }] = await manager.query(`SELECT to_regclass('public.notification_outbox') IS NOT NULL AS present`);
      if (!present) return undefined;
      const [row] = await manager.query(
        `SELECT count(*)::int AS depth,
                COALESCE(EXTRACT(EPOCH FROM now() - min(available_at) FILTER (WHERE available_at <= now())), 0)::float8 AS oldest
           FROM notification_outbox`,
      );
      return { depth: Number(row.depth), oldestDueSeconds: Number(row.oldest) };
    });
    cached = { at: Date.now(), value };
    return value;
  };
  metrics.registerGauge('notification_outbox_depth', 'Notifications waiting in the outbox', [], async (gauge) => {
    const value = await read();
    if (!value) return gauge.reset();
    gauge.set(value.depth);
  });
  metrics.registerGauge('notification_outbox_oldest_due_seconds', 'Age of the oldest due outbox entry', [], async (gauge) => {
    const value = await read();
    if (!value) return gauge.reset();
    gauge.set(value.oldestDueSeconds);
  });
}
