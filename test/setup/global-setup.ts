import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres.js';
import { runMigrations } from '../../src/database/migrate.js';
import { assertTestDatabase } from './test-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;
let embeddedDir: string | undefined;

/**
 * One real Postgres for the whole run: TEST_DATABASE_URL when set (CI: the machine's service),
 * else an embedded one in a temporary directory. Migrations are applied once here.
 */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    embeddedDir = await mkdtemp(join(tmpdir(), 'sales-test-pg-'));
    // mkdtemp makes it 0700; Postgres runs as another user (we are often root) and must traverse it.
    await chmod(embeddedDir, 0o755);
    embedded = await startEmbeddedPostgres(embeddedDir, () => {}, 'sales_test');
    url = embedded.url;
  }
  assertTestDatabase(url);
  await runMigrations(url);
  project.provide('databaseUrl', url);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (embeddedDir) await rm(embeddedDir, { recursive: true, force: true });
}
