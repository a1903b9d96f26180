import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfigFromProcessEnv } from '../../config/app-config.js';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../database/data-source.js';
import { startEmbeddedPostgres } from '../../database/embedded-postgres.js';
import { runMigrations } from '../../database/migrate.js';
import { TENANT_ID_PATTERN } from '../token-claims.js';
import { TenantsRepository } from './tenants.repository.js';

const USAGE = [
  'usage: npm run tenant -- create <id> "<name>"',
  '       npm run tenant -- suspend <id>        (its tokens get 403 tenant_suspended on every instance at once)',
  '       npm run tenant -- resume <id>',
  '       npm run tenant -- revoke-token <jti> ["<reason>"]   (that token gets 401 invalid_token before its exp)',
].join('\n');

type Command = { name: 'create'; id: string; label: string } | { name: 'suspend' | 'resume'; id: string } | { name: 'revoke-token'; jti: string; reason?: string };

function commandOf([name, first, second]: string[]): Command | string {
  if (name === 'create' && first && second) return TENANT_ID_PATTERN.test(first) ? { name, id: first, label: second } : badId(first);
  if ((name === 'suspend' || name === 'resume') && first && second === undefined) return TENANT_ID_PATTERN.test(first) ? { name, id: first } : badId(first);
  if (name === 'revoke-token' && first && first.length <= 255) return { name, jti: first, reason: second };
  return USAGE;
}

function badId(id: string): string {
  return `tenant id "${id}" must match ${TENANT_ID_PATTERN} (the value tokens carry in the tenant claim)`;
}

/**
 * `npm run tenant -- create|suspend|resume|revoke-token …` on DATABASE_URL (or the embedded
 * database), as the owner: the app role cannot change tenants or the revocation list.
 */
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
  const command = commandOf(positionals);
  if (typeof command === 'string') {
    console.error(command);
    return 2;
  }
  const config = loadConfigFromProcessEnv();
  const embedded = config.database.embedded ? await startEmbeddedPostgres(config.dataDir) : undefined;
  try {
    const url = embedded?.url ?? config.database.url!;
    await runMigrations(url);
    const dataSource = createDataSource({ url, asAppRole: false, poolSize: 1 });
    await dataSource.initialize();
    try {
      const result = await run(command, new TenantsRepository(dataSource), dataSource, config.auth.maxTokenAgeSeconds + config.auth.clockToleranceSeconds);
      if (!result.ok) {
        console.error(result.message);
        return 1;
      }
      console.log(result.message);
    } finally {
      await dataSource.destroy();
    }
    return 0;
  } finally {
    await embedded?.stop();
  }
}

async function run(command: Command, tenants: TenantsRepository, dataSource: DataSource, longestTokenSeconds: number): Promise<{ ok: boolean; message: string }> {
  switch (command.name) {
    case 'create': {
      const created = await tenants.create(command.id, command.label);
      return { ok: true, message: created ? `created tenant ${command.id} ("${command.label}")` : `tenant ${command.id} already exists` };
    }
    case 'suspend':
    case 'resume': {
      const found = await tenants.setSuspended(command.id, command.name === 'suspend');
      return found ? { ok: true, message: `${command.name === 'suspend' ? 'suspended' : 'resumed'} tenant ${command.id}` } : { ok: false, message: `no tenant ${command.id}` };
    }
    case 'revoke-token': {
      // Kept until no token carrying it can still be valid: the longest accepted lifetime from now.
      await dataSource.query(
        `INSERT INTO revoked_tokens (jti, expires_at, reason) VALUES ($1, now() + make_interval(secs => $2), $3)
         ON CONFLICT (jti) DO UPDATE SET expires_at = greatest(revoked_tokens.expires_at, excluded.expires_at)`,
        [command.jti, longestTokenSeconds, command.reason ?? null],
      );
      await dataSource.query(`DELETE FROM revoked_tokens WHERE expires_at < now()`);
      return { ok: true, message: `revoked token ${command.jti}` };
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
