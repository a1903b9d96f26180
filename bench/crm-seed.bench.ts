import 'reflect-metadata';
import { createDataSource } from '../src/database/data-source.js';
import { seedDemoData } from '../src/database/seed/demo-seed.js';
import { DEMO_TENANTS } from '../src/database/seed/demo-tenants.js';
import { openBenchDatabase } from './lib/bench-db.js';

/**
 * How long the first-start demo seed takes (both demo tenants, through the app role and RLS, as
 * main.ts runs it), three rounds on fresh tenant ids, with a raw-SQL yardstick for the machine's
 * current speed.
 *
 *   npx swc src bench test/helpers -d dist/crm-bench --quiet && node dist/crm-bench/bench/crm-seed.bench.js
 *
 * Database: CRM_BENCH_DATABASE_URL (name must contain "bench"), default postgres://postgres@127.0.0.1:5432/crm_bench.
 */
async function main(): Promise<void> {
  const database = await openBenchDatabase('bench-seed', process.env.CRM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm_bench');
  const owner = createDataSource({ url: database.url, asAppRole: false, poolSize: 1 });
  const app = createDataSource({ url: database.url, asAppRole: true, poolSize: 10 });
  await Promise.all([owner.initialize(), app.initialize()]);
  try {
    const [{ ms: yardstick }] = await owner.query(
      `SELECT extract(milliseconds FROM clock_timestamp() - now()) AS ms FROM (SELECT count(*) FROM generate_series(1, 3000000)) s`,
    );
    console.log(`CRM demo seed bench (yardstick: counting 3M generated rows took ${Number(yardstick).toFixed(0)} ms)`);
    for (let round = 1; round <= 3; round++) {
      const tenants = DEMO_TENANTS.map((spec) => ({ ...spec, id: `bench-seed-${round}-${spec.id}` }));
      const result = await seedDemoData(app, { today: new Date('2026-11-27T12:00:00Z'), tenants });
      console.log(`  round ${round}: ${result.ms} ms for ${result.rows.toLocaleString('en-US')} rows (${Math.round(result.rows / (result.ms / 1000)).toLocaleString('en-US')} rows/s), seeded ${result.seeded.join(', ')}`);
      await owner.query('DELETE FROM tenants WHERE id = ANY($1)', [tenants.map((spec) => spec.id)]);
    }
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
