import 'reflect-metadata';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { Principal } from '../../auth/principal.js';
import { Scope } from '../../auth/scope.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { loadConfigFromProcessEnv } from '../../config/app-config.js';
import { createDataSource } from '../../database/data-source.js';
import { startEmbeddedPostgres } from '../../database/embedded-postgres.js';
import { runMigrations } from '../../database/migrate.js';
import { TenantDb } from '../../database/tenant-db.js';
import type { ImportSource } from './import-source.js';
import { buildImportService } from './import-standalone.js';
import { ImportRejectedError } from './import.service.js';
import { IMPORT_ENTITIES, type ImportEntity, type ImportReport } from './import.schemas.js';

const USAGE = `usage: npm run import -- --tenant <id> <file.csv|file.ndjson|file.json> [--mapping hubspot|salesforce|pipedrive|maven|'<json>'] [--entity opportunities|accounts]`;

async function sourceFor(file: string): Promise<ImportSource> {
  const extension = extname(file).toLowerCase();
  if (extension === '.ndjson' || extension === '.jsonl') return { kind: 'ndjson', stream: createReadStream(file) };
  if (extension === '.json') return { kind: 'json', stream: createReadStream(file) };
  return { kind: 'csv', stream: createReadStream(file) };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { tenant: { type: 'string' }, mapping: { type: 'string' }, entity: { type: 'string' } },
  });
  const file = positionals[0];
  const entity = (values.entity ?? 'opportunities') as ImportEntity;
  if (!values.tenant || !file || !IMPORT_ENTITIES.includes(entity)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfigFromProcessEnv();
  const embedded = config.database.embedded ? await startEmbeddedPostgres(config.dataDir) : undefined;
  try {
    const url = embedded?.url ?? config.database.url!;
    await runMigrations(url);
    const dataSource = createDataSource({ url, asAppRole: true, poolSize: 2, applicationName: 'sales-import-cli' });
    await dataSource.initialize();
    try {
      const known: unknown[] = await dataSource.query('SELECT 1 FROM tenants WHERE id = $1', [values.tenant]);
      if (known.length === 0) {
        console.error(`unknown tenant "${values.tenant}" (create it with: npm run tenant -- create ${values.tenant} "<name>")`);
        return 2;
      }
      return await runImport(dataSource, values.tenant, file, entity, values.mapping);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await embedded?.stop();
  }
}

async function runImport(dataSource: ReturnType<typeof createDataSource>, tenantId: string, file: string, entity: ImportEntity, mapping: string | undefined): Promise<number> {
  const principal: Principal = { subject: 'import-cli', clientId: 'import-cli', tenantId, scopes: [Scope.CrmWrite], expiresAt: 0 };
  const size = (await stat(file)).size;
  const bar = new SingleBar({ format: 'import |{bar}| {percentage}% | {rows} rows | {eta_formatted} left', hideCursor: true });
  bar.start(size, 0, { rows: 0 });
  const started = Date.now();
  try {
    const report = await buildImportService(new TenantDb(dataSource)).import(principal, { source: await sourceFor(file), entity, mapping }, {
      onProgress: ({ rows, bytes }) => bar.update(Math.min(bytes, size), { rows }),
    });
    bar.update(size, { rows: report.rows });
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    console.log(`imported ${report.rows} rows in ${seconds.toFixed(1)} s (${Math.round(report.rows / seconds)} rows/s): ` +
      `${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.accountsCreated} accounts created`);
    return 0;
  } catch (error) {
    bar.stop();
    if (error instanceof ImportRejectedError) return printRejected((error.details as { report: ImportReport }).report);
    if (error instanceof DomainError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

function printRejected(report: ImportReport): number {
  console.error(`import rejected, nothing written: ${report.rejectedCount} of ${report.rows} rows are invalid`);
  for (const { row, reasons } of report.rejected.slice(0, 20)) console.error(`  row ${row}: ${reasons.join('; ')}`);
  if (report.rejectedCount > 20) console.error(`  … and ${report.rejectedCount - 20} more`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
