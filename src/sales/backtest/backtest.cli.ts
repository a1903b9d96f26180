import 'reflect-metadata';
import { TenantReadCache } from '../../database/tenant-changes/tenant-read-cache.js';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDataSource } from '../../database/data-source.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../database/embedded-postgres.js';
import { runMigrations } from '../../database/migrate.js';
import { seedDemoData } from '../../database/seed/demo-seed.js';
import { DEMO_TENANTS, REGION_WEIGHTS } from '../../database/seed/demo-tenants.js';
import { TenantDb } from '../../database/tenant-db.js';
import { ForecastRepository } from '../forecasting/forecast.repository.js';
import { ForecastService } from '../forecasting/forecast.service.js';
import { backtestTenant, formatReport } from './demo-backtest.js';

const USAGE = `usage: npm run backtest -- [--today YYYY-MM-DD] [--months 12] [--horizon 3] [--by-region] [--database-url postgres://…]
  Without --database-url: a throwaway embedded Postgres, migrated and seeded with the demo tenants as of --today.
  With it: the demo tenants already in that database (nothing is written).`;

/** `npm run backtest`: the rolling-origin backtest table of the forecast methods on the demo tenants. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      today: { type: 'string' },
      months: { type: 'string', default: '12' },
      horizon: { type: 'string', default: '3' },
      'by-region': { type: 'boolean', default: false },
      'database-url': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const today = values.today ?? new Date().toISOString().slice(0, 10);
  let embedded: EmbeddedDatabase | undefined;
  let dir: string | undefined;
  try {
    let url = values['database-url'];
    if (!url) {
      dir = await mkdtemp(join(tmpdir(), 'sales-backtest-'));
      // mkdtemp makes it 0700; Postgres runs as another user when we are root and must traverse it.
      await chmod(dir, 0o755);
      embedded = await startEmbeddedPostgres(dir, () => {}, 'backtest');
      url = embedded.url;
      await runMigrations(url);
    }
    const dataSource = createDataSource({ url, asAppRole: true, poolSize: 4, applicationName: 'sales-backtest' });
    await dataSource.initialize();
    if (embedded) {
      const seeded = await seedDemoData(dataSource, { today: new Date(`${today}T12:00:00Z`) });
      console.log(`seeded ${seeded.seeded.join(', ')} (${seeded.rows} rows) with data up to ${today}\n`);
    }
    const db = new TenantDb(dataSource);
    const repository = new ForecastRepository();
    const deps = { db, repository, service: new ForecastService(db, repository, new TenantReadCache()) };
    const options = { today, months: Number(values.months), horizon: Number(values.horizon) };
    for (const tenant of DEMO_TENANTS) {
      const scopes = [{}, ...(values['by-region'] ? REGION_WEIGHTS.map(([region]) => ({ region })) : [])];
      for (const filters of scopes) console.log(`${formatReport(await backtestTenant(deps, tenant.id, filters, options))}\n`);
    }
    await dataSource.destroy();
    return 0;
  } finally {
    await embedded?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
