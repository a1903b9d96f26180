import 'reflect-metadata';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Principal } from '../src/auth/principal.js';
import { Scope } from '../src/auth/scope.js';
import { buildImportService } from '../src/crm/import/import-standalone.js';
import { createDataSource } from '../src/database/data-source.js';
import { TenantDb } from '../src/database/tenant-db.js';
import { hubspotDealsCsv } from '../test/helpers/crm-import-data.js';
import { openBenchDatabase } from './lib/bench-db.js';

/**
 * CRM bulk import throughput: rows/s for a 100k-row HubSpot-style CSV through the same
 * ImportService as POST /api/v1/crm/import (streamed CSV → mapping → zod → batched upserts +
 * history, one transaction), three passes: all new (INSERT), all changed (UPDATE + history),
 * all unchanged (no-op upsert).
 *
 *   npx swc src bench test/helpers -d dist/crm-bench --quiet && node dist/crm-bench/bench/crm-import.bench.js [--rows 100000]
 *
 * Database: CRM_BENCH_DATABASE_URL (name must contain "bench"), default postgres://postgres@127.0.0.1:5432/crm_bench.
 */
const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const rows = Number(values.rows);
const tenantId = 'bench-import';

async function main(): Promise<void> {
  const database = await openBenchDatabase(tenantId, process.env.CRM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm_bench');
  const owner = createDataSource({ url: database.url, asAppRole: false, poolSize: 1 });
  const app = createDataSource({ url: database.url, asAppRole: true, poolSize: 2 });
  await Promise.all([owner.initialize(), app.initialize()]);
  const dir = await mkdtemp(join(tmpdir(), 'crm-import-bench-'));
  try {
    await owner.query('DELETE FROM opportunities WHERE tenant_id = $1', [tenantId]);
    await owner.query('DELETE FROM accounts WHERE tenant_id = $1', [tenantId]);
    const service = buildImportService(new TenantDb(app));
    const principal: Principal = { subject: 'bench', clientId: 'bench', tenantId, scopes: [Scope.CrmWrite], expiresAt: 0 };
    const fresh = join(dir, 'deals.csv');
    const changed = join(dir, 'deals-changed.csv');
    await writeFile(fresh, hubspotDealsCsv(rows));
    // Same ids, every amount different: each row is an UPDATE with a history row.
    await writeFile(changed, hubspotDealsCsv(rows).replace(/,(\d+)\.00,/g, (_m, amount: string) => `,${Number(amount) + 1}.00,`));
    console.log(`CRM import bench: ${rows} rows, ${((await stat(fresh)).size / 1e6).toFixed(1)} MB CSV, hubspot mapping, Postgres ${(await owner.query('SHOW server_version'))[0].server_version}`);
    console.log(`  ${'baseline: raw SQL insert'.padEnd(24)} ${(await rawInsertSeconds(owner)).toFixed(2).padStart(6)} s  (INSERT … SELECT generate_series of ${rows} rows, same indexes, rolled back)`);
    for (const [label, file] of [['insert (all new)', fresh], ['update (all changed)', changed], ['upsert (all unchanged)', changed]] as const) {
      const started = process.hrtime.bigint();
      const report = await service.import(principal, { source: { kind: 'csv', stream: createReadStream(file) }, mapping: 'hubspot' });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(
        `  ${label.padEnd(24)} ${seconds.toFixed(2).padStart(6)} s  ${Math.round(rows / seconds).toLocaleString('en-US').padStart(8)} rows/s` +
          `  (created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged})`,
      );
    }
  } finally {
    await owner.query('DELETE FROM opportunities WHERE tenant_id = $1', [tenantId]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await Promise.all([owner.destroy(), app.destroy()]);
    await database.close();
  }
}

/** What Postgres alone needs for the same number of opportunity rows on this machine right now (the yardstick). */
async function rawInsertSeconds(owner: ReturnType<typeof createDataSource>): Promise<number> {
  const started = process.hrtime.bigint();
  await owner.transaction(async (manager) => {
    await manager.query(
      `INSERT INTO opportunities (tenant_id, external_id, name, amount, currency, stage, probability, forecast_category, close_date, owner)
       SELECT $1, 'RAW-' || g, 'Deal ' || g || ', Company ' || (g % 8), 1000 + g % 90000, 'USD', 'proposal', 50, 'best_case',
              DATE '2025-01-01' + g % 365, 'owner' || (g % 12) FROM generate_series(1, $2::int) g`,
      [tenantId, rows],
    );
    throw new Rollback();
  }).catch((error: unknown) => {
    if (!(error instanceof Rollback)) throw error;
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

class Rollback extends Error {}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
