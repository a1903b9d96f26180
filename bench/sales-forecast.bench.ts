import 'reflect-metadata';
import { TenantReadCache } from '../src/database/tenant-changes/tenant-read-cache.js';
import { parseArgs } from 'node:util';
import type { Principal } from '../src/auth/principal.js';
import { Scope } from '../src/auth/scope.js';
import { createDataSource } from '../src/database/data-source.js';
import { TenantDb } from '../src/database/tenant-db.js';
import { ForecastRepository } from '../src/sales/forecasting/forecast.repository.js';
import { ForecastService } from '../src/sales/forecasting/forecast.service.js';
import type { ForecastQuery } from '../src/sales/sales.schemas.js';
import { openBenchDatabase } from './lib/bench-db.js';
import { BENCH_TODAY, ensureForecastData } from './sales-forecast-data.js';

/**
 * Forecast latency p50/p99 for a tenant with 1M opportunities (~4M stage-history rows), through
 * the same ForecastService.forecast as GET /api/v1/sales/forecast, MCP and the RPC route (TenantDb
 * transaction with the tenant set, RLS on), one client, sequential: latency, not throughput.
 *
 *   npx swc src bench test/helpers -d dist/sales-bench --quiet && node dist/sales-bench/bench/sales-forecast.bench.js [--rows 1000000] [--requests 20]
 *
 * Database: SALES_BENCH_DATABASE_URL (its name must contain "bench"), default
 * postgres://postgres@127.0.0.1:5432/sales_forecast_bench; the data is generated once and kept.
 */
const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '20' } } });
const rows = Number(values.rows);
const requests = Number(values.requests);
const tenantId = 'bench-forecast';

/** Cold: a fresh service per request, so the pipeline snapshots are computed (one pass over the history). Warm: served from its cache. */
const CASES: [string, 'cold' | 'warm', (i: number) => ForecastQuery][] = [
  ['timeseries, 12 months', 'warm', () => ({ interval: 'month', horizon: 12, method: 'timeseries', asOf: BENCH_TODAY })],
  ['auto, 3 months', 'cold', () => ({ interval: 'month', horizon: 3, method: 'auto', asOf: BENCH_TODAY })],
  ['auto, 3 months', 'warm', () => ({ interval: 'month', horizon: 3, method: 'auto', asOf: BENCH_TODAY })],
  ['auto, 3 months, mid-month asOf', 'cold', () => ({ interval: 'month', horizon: 3, method: 'auto', asOf: '2025-10-17' })],
  ['auto, 4 quarters, one region', 'cold', (i) => ({ interval: 'quarter', horizon: 4, method: 'auto', asOf: BENCH_TODAY, region: REGIONS[i % 4] })],
  ['auto, 4 quarters, one region', 'warm', (i) => ({ interval: 'quarter', horizon: 4, method: 'auto', asOf: BENCH_TODAY, region: REGIONS[i % 4] })],
  ['pipeline, asOf a past month', 'cold', (i) => ({ interval: 'month', horizon: 3, method: 'pipeline', asOf: `2025-0${1 + (i % 9)}-01` })],
];
const REGIONS = ['North America', 'EMEA', 'APAC', 'LATAM'];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const fmt = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;

async function main(): Promise<void> {
  const database = await openBenchDatabase(tenantId, process.env.SALES_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sales_forecast_bench');
  const owner = createDataSource({ url: database.url, asAppRole: false, poolSize: 1 });
  // The app's 30 s statement timeout stays on: a forecast must finish within it.
  const app = createDataSource({ url: database.url, asAppRole: true, poolSize: 4 });
  await Promise.all([owner.initialize(), app.initialize()]);
  try {
    await ensureForecastData(owner, tenantId, rows, (line) => process.stdout.write(line));
    const [facts] = await owner.query(
      `SELECT (SELECT count(*) FROM opportunities WHERE tenant_id = $1)::int AS deals,
              (SELECT count(*) FROM opportunity_stage_history WHERE tenant_id = $1)::int AS history,
              (SELECT count(*) FROM opportunities WHERE tenant_id = $1 AND stage NOT IN ('closed_won','closed_lost'))::int AS open`,
      [tenantId],
    );
    const tenantDb = new TenantDb(app);
    const warmService = new ForecastService(tenantDb, new ForecastRepository(), new TenantReadCache());
    const serviceFor = (mode: 'cold' | 'warm') => (mode === 'warm' ? warmService : new ForecastService(tenantDb, new ForecastRepository(), new TenantReadCache()));
    const principal: Principal = { subject: 'bench', clientId: 'bench', tenantId, scopes: [Scope.SalesDataRead], expiresAt: 0 };
    console.log(`Sales forecast bench: ${facts.deals.toLocaleString('en-US')} opportunities (${facts.open.toLocaleString('en-US')} open), ${facts.history.toLocaleString('en-US')} stage-history rows, one tenant; ${requests} sequential requests per case after 4 warm-ups`);
    const all: number[] = [];
    for (const [label, mode, make] of CASES) {
      for (let i = 0; i < 4; i++) await serviceFor(mode).forecast(principal, make(i));
      const times: number[] = [];
      let method = '';
      for (let i = 0; i < requests; i++) {
        const service = serviceFor(mode);
        const started = process.hrtime.bigint();
        const answer = await service.forecast(principal, make(i));
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        method = `${answer.method} (${answer.model.slice(0, 40)})`;
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      console.log(`  ${`${label} (${mode})`.padEnd(37)} p50 ${fmt(percentile(times, 50))}  p99 ${fmt(percentile(times, 99))}  max ${fmt(times.at(-1)!)}  → ${method}`);
    }
    all.sort((a, b) => a - b);
    console.log(`  ${'all'.padEnd(37)} p50 ${fmt(percentile(all, 50))}  p99 ${fmt(percentile(all, 99))}  (${all.length} requests)`);
  } finally {
    await Promise.all([owner.destroy(), app.destroy()]);
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
