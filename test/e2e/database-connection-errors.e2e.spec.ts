import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { testDatabaseUrl } from '../helpers/test-app.js';

interface PgClient extends EventEmitter {
  processID: number;
}
interface PgPool {
  connect(callback: (error: Error | undefined, client: PgClient, release: (error?: Error) => void) => void): void;
}

/**
 * A connection's 'error' event with nobody listening is an uncaught exception that ends the
 * process. The pool listens while a connection is idle, TypeORM once its query runner holds it;
 * a connection whose server goes away between the two (Postgres shutting down as it is handed
 * out, seen in CI as an uncaught "terminating connection due to administrator command") must not
 * take the application with it.
 */
describe('a database connection that fails while it is being handed out', () => {
  let dataSource: DataSource;
  let admin: DataSource;
  const pool = () => (dataSource.driver as unknown as { master: PgPool }).master;
  const checkout = () =>
    new Promise<{ client: PgClient; release: (error?: Error) => void; listenersAtHandOut: number }>((resolve, reject) =>
      pool().connect((error, client, release) => (error ? reject(error) : resolve({ client, release, listenersAtHandOut: client.listenerCount('error') }))),
    );

  beforeAll(async () => {
    dataSource = createDataSource({ url: testDatabaseUrl(), asAppRole: true, poolSize: 2 });
    admin = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
    await dataSource.initialize();
    await admin.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await admin?.destroy();
  });

  it('when a new or an idle connection is handed out, then it already has an error listener of its own', async () => {
    const first = await checkout();
    expect(first.listenersAtHandOut).toBeGreaterThan(0);
    first.release();
    const reused = await checkout();
    expect(reused.client).toBe(first.client);
    expect(reused.listenersAtHandOut).toBeGreaterThan(0);
    reused.release();
  });

  it('when the server ends a connection nobody else is listening on, then the process lives and the pool replaces it', async () => {
    const { client, release } = await checkout();
    const ended = new Promise((resolve) => client.once('end', resolve));
    await admin.query('SELECT pg_terminate_backend($1)', [client.processID]);
    await ended;
    release(new Error('terminated'));
    // The pool still serves: a fresh connection answers.
    expect(await dataSource.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });
});
