import type { EventEmitter } from 'node:events';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from './migrations.js';

/**
 * The role every application query runs as. It owns nothing and has no BYPASSRLS, so Postgres
 * row-level security applies to it even when the connecting user is a superuser (CI, embedded).
 * Migrations run as the connecting user instead (they own the tables).
 */
export const APP_DB_ROLE = 'sales_app';

export interface DataSourceSettings {
  url: string;
  /** true: connections act as APP_DB_ROLE (the application); false: as the owner (migrations, tests' admin). */
  asAppRole: boolean;
  poolSize?: number;
  applicationName?: string;
}

export function buildDataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    migrations,
    migrationsTableName: 'schema_migrations',
    // Schema changes go through migrations only, everywhere (tests included).
    synchronize: false,
    migrationsRun: false,
    entities: [],
    logging: false,
    extra: {
      max: settings.poolSize ?? 10,
      application_name: settings.applicationName ?? 'sales-analytics',
      // Fail fast when the database is gone, so callers answer 503 instead of hanging.
      connectionTimeoutMillis: 3_000,
      idleTimeoutMillis: 30_000,
      // TCP keepalive: a connection whose server vanished without a word (fail-over, NAT drop) is
      // found dead and replaced instead of hanging the next query on it.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      statement_timeout: 30_000,
      ...(settings.asAppRole ? { options: `-c role=${APP_DB_ROLE}` } : {}),
      // Every connection keeps an 'error' listener for its whole life. The pool listens only while
      // a connection is idle and TypeORM only once its query runner has it; in between (one CI run
      // of faults-postgres: Postgres's "terminating connection" at a shutdown, read together with
      // a new connection's hand-out) an unheard 'error' event is an uncaught exception and the
      // process dies. The error itself still reaches the pool or the query runner that holds it.
      onConnect: (client: EventEmitter) => void client.on('error', ignoreHeardElsewhere),
    },
  };
}

function ignoreHeardElsewhere(): void {}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(buildDataSourceOptions(settings));
}
