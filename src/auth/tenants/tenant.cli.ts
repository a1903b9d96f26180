import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfigFromProcessEnv } from '../../config/app-config.js';
import { createDataSource } from '../../database/data-source.js';
import { startEmbeddedPostgres } from '../../database/embedded-postgres.js';
import { runMigrations } from '../../database/migrate.js';
import { TENANT_ID_PATTERN } from '../token-claims.js';
import { TenantsRepository } from './tenants.repository.js';

const USAGE = 'usage: npm run tenant -- create <id> "<name>"';

/** `npm run tenant -- create <id> "<name>"`: adds a tenant (on DATABASE_URL, or the embedded database). */
async function main(): Promise<number> {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ allowPositionals: true }));
  } catch (error) {
    // An unknown option (or an id starting with "-", which parseArgs reads as one) is a usage
    // error like any other: exit 2 with the usage line, not 1 with a bare parser message.
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, id, name] = positionals;
  if (command !== 'create' || !id || !name) {
    console.error(USAGE);
    return 2;
  }
  if (!TENANT_ID_PATTERN.test(id)) {
    console.error(`tenant id "${id}" must match ${TENANT_ID_PATTERN} (the value tokens carry in the tenant claim)`);
    return 2;
  }
  const config = loadConfigFromProcessEnv();
  const embedded = config.database.embedded ? await startEmbeddedPostgres(config.dataDir) : undefined;
  try {
    const url = embedded?.url ?? config.database.url!;
    await runMigrations(url);
    const dataSource = createDataSource({ url, asAppRole: false, poolSize: 1 });
    await dataSource.initialize();
    const created = await new TenantsRepository(dataSource).create(id, name);
    await dataSource.destroy();
    console.log(created ? `created tenant ${id} ("${name}")` : `tenant ${id} already exists`);
    return 0;
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
