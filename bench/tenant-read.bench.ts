import 'reflect-metadata';
import { createServer, connect, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source.js';
import { TenantDb } from '../src/database/tenant-db.js';
import { ensureAccounts, openBenchDatabase } from './lib/bench-db.js';

/**
 * `npm run bench:db [-- --operations 4000 --concurrency 10 --rounds 3]`
 *
 * What one tenant-bound point read costs in database round trips, in one process, against the
 * bench database, as the application role (RLS on). The baseline is the product's path
 * (TenantDb.run: transaction opened and tenant bound in one round trip, the SELECT, COMMIT); the
 * other rows are the path it replaced (TypeORM's transaction(): four round trips) and the floor of
 * one round trip, so the next change to the read path can be chosen by figures. Only the baseline
 * is product code; the floor is a measurement, not a design (see its note). Prints reads/s and CPU µs per read of this process (the
 * driver's side: protocol, syscalls, TypeORM), medians of the rounds, and ratios to the baseline.
 */
const { values: args } = parseArgs({
  options: {
    operations: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
  },
});
const TENANT = 'acme';
const SELECT = 'SELECT id, name, region FROM accounts WHERE tenant_id = $1 AND id = $2';

interface Variant {
  label: string;
  note: string;
  read: (id: string) => Promise<unknown[]>;
}

async function main(): Promise<void> {
  const database = await openBenchDatabase(TENANT);
  await ensureAccounts(database.url, TENANT);
  const dataSource = new DataSource(buildDataSourceOptions({ url: database.url, asAppRole: true, poolSize: Number(args.concurrency) }));
  await dataSource.initialize();
  const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  const tenantDb = new TenantDb(dataSource);
  const [{ id }] = (await tenantDb.run(TENANT, (manager) => manager.query('SELECT id FROM accounts LIMIT 1'))) as { id: string }[];
  const literal = (value: string) => pg.escapeLiteral(value);

  const variants: Variant[] = [
    {
      label: 'TenantDb.run (product): 3 round trips',
      note: '"START TRANSACTION; SELECT set_config(…)" · SELECT · COMMIT',
      read: (accountId) => tenantDb.run(TENANT, (manager: EntityManager) => manager.query(SELECT, [TENANT, accountId])),
    },
    {
      label: 'TypeORM transaction(): 4 round trips',
      note: 'START TRANSACTION · set_config · SELECT · COMMIT (TenantDb.run until 2026-11-27)',
      read: (accountId) =>
        dataSource.transaction(async (manager) => {
          await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [TENANT]);
          return manager.query(SELECT, [TENANT, accountId]);
        }),
    },
    {
      label: 'all in one: 1 round trip',
      note: 'one simple query with the values inlined as literals: the floor, not a design',
      read: (accountId) =>
        withClient(pool, async (client) => {
          const sql = SELECT.replace('$1', literal(TENANT)).replace('$2', literal(accountId));
          const results = (await client.query(`START TRANSACTION; SELECT set_config('app.tenant_id', ${literal(TENANT)}, true); ${sql}; COMMIT`)) as unknown as pg.QueryResult[];
          return results[2]!.rows;
        }),
    },
  ];

  const operations = Number(args.operations);
  const concurrency = Number(args.concurrency);
  const results = new Map<Variant, { perSecond: number; cpuMicros: number }[]>();
  for (const variant of variants) await measure(variant.read, id, 200, concurrency); // warm-up: connections, plans
  for (let round = 0; round < Number(args.rounds); round += 1) {
    for (const variant of variants) {
      const runs = results.get(variant) ?? [];
      runs.push(await measure(variant.read, id, operations, concurrency));
      results.set(variant, runs);
    }
  }
  await dataSource.destroy();
  await database.close();
  const tcp = await loopbackRoundTrip(20_000);

  const baseline = median(results.get(variants[0]!)!.map((run) => run.cpuMicros));
  console.log(`\nTenant-bound point read: ${operations} reads × ${args.rounds} rounds, ${concurrency} at a time, medians (CPU of this process).\n`);
  console.log(`${'variant'.padEnd(44)} ${'reads/s'.padStart(8)} ${'CPU µs/read'.padStart(12)} ${'CPU vs product'.padStart(15)}`);
  for (const variant of variants) {
    const runs = results.get(variant)!;
    const cpu = median(runs.map((run) => run.cpuMicros));
    console.log(
      `${variant.label.padEnd(44)} ${Math.round(median(runs.map((run) => run.perSecond))).toLocaleString('en-US').padStart(8)} ${cpu.toFixed(0).padStart(12)} ${(cpu / baseline).toFixed(2).padStart(15)}   ${variant.note}`,
    );
  }
  console.log(`\nFor scale: one loopback TCP round trip of 64 bytes, no Postgres (both ends in this process): ${tcp.toFixed(1)} µs of CPU.`);
}

/** CPU per ping-pong over a loopback TCP socket: what a round trip costs before any database work. */
async function loopbackRoundTrip(count: number): Promise<number> {
  const server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk))).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const ping = Buffer.alloc(64, 1);
  let answered = 0;
  const before = process.cpuUsage();
  await new Promise<void>((resolve) => {
    socket.on('data', () => {
      answered += 1;
      if (answered >= count) resolve();
      else socket.write(ping);
    });
    socket.write(ping);
  });
  const cpu = process.cpuUsage(before);
  socket.destroy();
  server.close();
  return (cpu.user + cpu.system) / count;
}

async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function measure(read: (id: string) => Promise<unknown[]>, id: string, operations: number, concurrency: number) {
  let started = 0;
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < operations) {
        started += 1;
        const rows = await read(id);
        // Under RLS a read without the tenant bound finds nothing: a variant that lost it fails here.
        if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
      }
    }),
  );
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: (operations / elapsedMs) * 1000, cpuMicros: (cpu.user + cpu.system) / operations };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
