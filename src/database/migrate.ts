import { createDataSource } from './data-source.js';

// Any constant works; it only has to be the same for every instance that migrates this database.
const MIGRATION_LOCK_KEY = 727_001;

/**
 * Applies pending migrations as the owner, under an advisory lock so that several instances (or
 * parallel test workers) starting at once do not race. Returns the names applied.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = createDataSource({ url, asAppRole: false, poolSize: 1, applicationName: 'sales-migrate' });
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await dataSource.destroy();
  }
}

export async function revertLastMigration(url: string): Promise<void> {
  const dataSource = createDataSource({ url, asAppRole: false, poolSize: 1, applicationName: 'sales-migrate' });
  await dataSource.initialize();
  try {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
