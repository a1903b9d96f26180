import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres.js';
import { runMigrations } from '../../src/database/migrate.js';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/sales_bench';

export interface BenchDatabase {
  url: string;
  close(): Promise<void>;
}

/**
 * The bench's own database (its name must contain "bench": benches write freely): BENCH_DATABASE_URL,
 * else `sales_bench` on the local Postgres (created if missing), else an embedded Postgres in a
 * temporary directory. Migrated, with the bench tenant present and the audit trail emptied.
 */
export async function openBenchDatabase(tenantId: string, configured = process.env.BENCH_DATABASE_URL): Promise<BenchDatabase> {
  let url = configured ?? DEFAULT_URL;
  let embedded: EmbeddedDatabase | undefined;
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/bench/i.test(name)) throw new Error(`Refusing to benchmark against database "${name}": its name must contain "bench".`);
  try {
    await ensureDatabase(url, name);
  } catch (error) {
    if (configured) throw error;
    const dir = await mkdtemp(join(tmpdir(), 'sales-bench-pg-'));
    await chmod(dir, 0o755);
    embedded = await startEmbeddedPostgres(dir, () => {}, 'sales_bench');
    url = embedded.url;
  }
  await runMigrations(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [tenantId]);
  // Every audited call of a run leaves a row (hundreds of thousands per `npm run bench`); kept, they
  // would make each run's audit writes costlier than the last run's (a bigger table and indexes
  // against the same shared buffers). Each run starts from an empty trail, so runs compare.
  await client.query('TRUNCATE audit_log');
  await client.end();
  return { url, close: async () => void (await embedded?.stop()) };
}

async function ensureDatabase(url: string, name: string): Promise<void> {
  const server = new URL(url);
  server.pathname = '/postgres';
  const client = new pg.Client({ connectionString: server.toString(), connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** Gives the tenant a few accounts when it has none (the demo seed, when wired, brings far more). */
export async function ensureAccounts(url: string, tenantId: string, count = 200): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM accounts WHERE tenant_id = $1', [tenantId]);
    if (rows[0].n > 0) return rows[0].n;
    await client.query(
      `INSERT INTO accounts (tenant_id, name, region, segment)
       SELECT $1, 'Bench Account ' || g, (ARRAY['North America','EMEA','APAC','LATAM'])[1 + g % 4], (ARRAY['enterprise','mid-market','smb'])[1 + g % 3]
         FROM generate_series(1, $2) AS g`,
      [tenantId, count],
    );
    return count;
  } finally {
    await client.end();
  }
}
