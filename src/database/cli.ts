import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFromProcessEnv } from '../config/app-config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { revertLastMigration, runMigrations } from './migrate.js';

const USAGE = `usage:
  npm run migration:run                 apply pending migrations (DATABASE_URL, else the embedded database)
  npm run migration:revert              undo the last applied migration
  npm run migration:generate -- <Name>  write a new, empty migration under src/database/migrations/`;

/**
 * Migrations are hand-written SQL (repositories use SQL, not entities), so "generate" scaffolds the
 * next migration with a timestamp and up/down, and says where to register it; there is no entity
 * model to diff against.
 */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { dir: { type: 'string' } } });
  const [command, name] = positionals;
  if (command === 'generate') return generate(name, values.dir ?? 'src/database/migrations');
  if (command !== 'run' && command !== 'revert') {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfigFromProcessEnv();
  const embedded = config.database.embedded ? await startEmbeddedPostgres(config.dataDir) : undefined;
  try {
    const url = embedded?.url ?? config.database.url!;
    if (command === 'run') {
      const applied = await runMigrations(url);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
    } else {
      await revertLastMigration(url);
      console.log('reverted the last migration');
    }
    return 0;
  } finally {
    await embedded?.stop();
  }
}

async function generate(name: string | undefined, dir: string): Promise<number> {
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    console.error(`${USAGE}\n<Name> is PascalCase, e.g. AddAccountTiers`);
    return 2;
  }
  const timestamp = Date.now();
  const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  const file = resolve(join(dir, `${timestamp}-${kebab}.ts`));
  const className = `${name}${timestamp}`;
  await writeFile(file, template(className), { flag: 'wx' });
  console.log(`created ${file}\nregister it: add ${className} at the end of the list in src/database/migrations.ts`);
  return 0;
}

function template(className: string): string {
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(runner: QueryRunner): Promise<void> {
    // Tenant-owned tables: tenant_id first in every index, ENABLE + FORCE ROW LEVEL SECURITY,
    // policy tenant_id = current_setting('app.tenant_id', true). Grants come from default privileges.
    await runner.query(\`SELECT 1\`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(\`SELECT 1\`);
  }
}
`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
