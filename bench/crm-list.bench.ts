import 'reflect-metadata';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { parseArgs } from 'node:util';
import type { Principal } from '../src/auth/principal.js';
import { Scope } from '../src/auth/scope.js';
import { IdempotencyRepository } from '../src/common/idempotency/idempotency.repository.js';
import { IdempotencyService } from '../src/common/idempotency/idempotency.service.js';
import { AccountsRepository } from '../src/crm/accounts/accounts.repository.js';
import { OpportunitiesRepository } from '../src/crm/opportunities/opportunities.repository.js';
import { OpportunitiesService } from '../src/crm/opportunities/opportunities.service.js';
import type { OpportunityListQuery } from '../src/crm/opportunities/opportunities.schemas.js';
import { CrmEventPublisher } from '../src/crm/opportunities/opportunity-changes.js';
import { StageHistoryRepository } from '../src/crm/opportunities/stage-history.repository.js';
import { createDataSource } from '../src/database/data-source.js';
import { TenantDb } from '../src/database/tenant-db.js';
import { openBenchDatabase } from './lib/bench-db.js';

/**
 * p99 of filtered opportunity lists at 1M opportunities in one tenant, through the same
 * OpportunitiesService.search as GET /api/v1/crm/opportunities (TenantDb transaction with the
 * tenant set, tenant-filtered keyset SQL, RLS on), one client, sequential: latency, not throughput.
 * The 1M rows (and 5k accounts) are generated once with generate_series and kept.
 *
 *   npx swc src bench test/helpers -d dist/crm-bench --quiet && node dist/crm-bench/bench/crm-list.bench.js [--rows 1000000] [--requests 100]
 *
 * Database: CRM_BENCH_DATABASE_URL (name must contain "bench"), default postgres://postgres@127.0.0.1:5432/crm_bench.
 */
const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '100' } } });
const rows = Number(values.rows);
const requestsPerFilter = Number(values.requests);
const tenantId = 'bench-list';
const STAGES = `ARRAY['prospecting','qualification','proposal','negotiation','closed_won','closed_lost']`;

async function ensureData(owner: ReturnType<typeof createDataSource>): Promise<void> {
  const [{ n }] = await owner.query('SELECT count(*)::int AS n FROM opportunities WHERE tenant_id = $1', [tenantId]);
  if (n === rows) return;
  console.log(`generating ${rows - n} opportunities for ${tenantId} (once; kept for later runs)…`);
  const started = Date.now();
  if (n > rows) await owner.query('DELETE FROM opportunities WHERE tenant_id = $1', [tenantId]);
  const [{ a }] = await owner.query('SELECT count(*)::int AS a FROM accounts WHERE tenant_id = $1', [tenantId]);
  if (a === 0) {
    await owner.query(
      `INSERT INTO accounts (tenant_id, external_id, name, region, segment, owner, created_at)
       SELECT $1, 'A-' || g, 'Company ' || g, (ARRAY['North America','EMEA','APAC','LATAM'])[1 + g % 4],
              (ARRAY['enterprise','mid-market','smb'])[1 + (g / 4) % 3], 'owner-' || g % 12, now() - g * interval '1 hour'
         FROM generate_series(1, 5000) g`,
      [tenantId],
    );
  }
  // Generation statements outlast the app's 30 s statement timeout; this owner session may.
  await owner.query('SET statement_timeout = 0');
  // Chunks of 100k commit one by one, so an interrupted generation resumes where it stopped.
  for (let from = (n > rows ? 0 : n) + 1; from <= rows; from += 100_000) {
    await owner.query(
    `WITH acc AS (SELECT array_agg(id ORDER BY external_id) AS ids FROM accounts WHERE tenant_id = $1),
          gen AS (SELECT g, (${STAGES})[(1 + (g * 7919) % 6)::int] AS stage FROM generate_series($3::bigint, least($3::bigint + 99999, $2::bigint)) g)
     INSERT INTO opportunities (tenant_id, external_id, account_id, name, amount, currency, stage, probability, forecast_category,
                                close_date, owner, product, created_at, updated_at, closed_at)
     SELECT $1, 'O-' || g, acc.ids[(1 + g % 5000)::int], 'Deal ' || g || ' ' || (ARRAY['renewal','expansion','new logo','pilot'])[(1 + g % 4)::int],
            500 + (g * 37) % 90000, 'USD', stage, 50, CASE WHEN stage LIKE 'closed%' THEN 'closed' ELSE 'pipeline' END,
            DATE '2024-01-01' + ((g * 13) % 1100)::int, 'owner-' || (g * 31) % 12, 'Product ' || g % 5,
            now() - ((g * 104729) % 94608000) * interval '1 second', now(),
            CASE WHEN stage LIKE 'closed%' THEN now() END
       FROM gen, acc`,
      [tenantId, rows, from],
    );
    process.stdout.write('.');
  }
  await owner.query('ANALYZE accounts');
  await owner.query('ANALYZE opportunities');
  console.log(`  generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function filters(random: () => number): [string, () => OpportunityListQuery][] {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const month = () => `2025-${String(1 + Math.floor(random() * 9)).padStart(2, '0')}-01`;
  return [
    ['stage', () => ({ stage: [pick(['prospecting', 'proposal', 'negotiation', 'closed_won'] as const)] })],
    ['owner', () => ({ owner: `owner-${Math.floor(random() * 12)}` })],
    ['stage+close window', () => {
      const from = month();
      return { stage: ['proposal', 'negotiation'], closeFrom: from, closeTo: from.replace(/-01$/, '-28') };
    }],
    ['region+segment', () => ({ region: pick(['EMEA', 'APAC', 'LATAM']), segment: pick(['smb', 'enterprise'] as const) })],
    ['q (trigram search)', () => ({ q: String(10_000 + Math.floor(random() * 80_000)) })],
    ['no filter, limit 200', () => ({ limit: 200 })],
  ];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const database = await openBenchDatabase(tenantId, process.env.CRM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm_bench');
  const owner = createDataSource({ url: database.url, asAppRole: false, poolSize: 1 });
  const app = createDataSource({ url: database.url, asAppRole: true, poolSize: 4 });
  await Promise.all([owner.initialize(), app.initialize()]);
  try {
    await ensureData(owner);
    const tenantDb = new TenantDb(app);
    const service = new OpportunitiesService(tenantDb, new OpportunitiesRepository(), new AccountsRepository(), new StageHistoryRepository(),
      new IdempotencyService(tenantDb, new IdempotencyRepository()), new CrmEventPublisher(new EventEmitter2()));
    const principal: Principal = { subject: 'bench', clientId: 'bench', tenantId, scopes: [Scope.CrmRead], expiresAt: 0 };
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const all: number[] = [];
    console.log(`CRM list bench: ${rows.toLocaleString('en-US')} opportunities in one tenant, ${requestsPerFilter} requests per filter (pages 1–3, limit 50), one client`);
    for (const [label, make] of filters(random)) {
      for (let i = 0; i < 5; i++) await service.search(principal, make()); // warm-up
      const times: number[] = [];
      for (let i = 0; i < requestsPerFilter; i++) {
        let query = make();
        // A third of the requests follow the cursor to page 2 or 3.
        const pages = i % 3 === 0 ? 1 + (i % 2) + 1 : 1;
        for (let page = 0; page < pages; page++) {
          const started = process.hrtime.bigint();
          const result = await service.search(principal, query);
          times.push(Number(process.hrtime.bigint() - started) / 1e6);
          if (!result.nextCursor) break;
          query = { ...query, cursor: result.nextCursor };
        }
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      console.log(`  ${label.padEnd(22)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms  p95 ${percentile(times, 95).toFixed(1).padStart(6)} ms  p99 ${percentile(times, 99).toFixed(1).padStart(6)} ms  (${times.length} requests)`);
    }
    all.sort((a, b) => a - b);
    console.log(`  ${'all filtered lists'.padEnd(22)} p50 ${percentile(all, 50).toFixed(1).padStart(6)} ms  p95 ${percentile(all, 95).toFixed(1).padStart(6)} ms  p99 ${percentile(all, 99).toFixed(1).padStart(6)} ms  (${all.length} requests)`);
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
