import 'reflect-metadata';
import { ConfigError, loadConfigFromProcessEnv } from './config/app-config.js';
import type { EmbeddedDatabase } from './database/embedded-postgres.js';
import { startTracing } from './observability/tracing.js';

let embedded: EmbeddedDatabase | undefined;

async function stopEmbedded(): Promise<void> {
  await embedded?.stop().catch(() => undefined);
  embedded = undefined;
}

async function bootstrap(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfigFromProcessEnv();
  // Tracing hooks http, fastify and pg as they load: start it first, then load the application.
  const stopTracing = await startTracing(config.tracing);
  const { createApp } = await import('./app.factory.js');
  const { authorizationServerBanner } = await import('./authorization-server/banner.js');
  const { startEmbeddedPostgres } = await import('./database/embedded-postgres.js');
  const { runMigrations } = await import('./database/migrate.js');
  const { seedDemoData } = await import('./database/seed/demo-seed.js');
  const { DataSource } = await import('typeorm');
  // Until Nest owns the process, stop the embedded Postgres ourselves on a signal.
  const earlySignal = () => void stopEmbedded().finally(() => process.exit(130));
  process.on('SIGINT', earlySignal).on('SIGTERM', earlySignal);

  if (config.database.embedded) {
    embedded = await startEmbeddedPostgres(config.dataDir);
    // Whatever ends the process (even an uncaught error), Postgres must not outlive it.
    process.on('exit', () => embedded?.signalStop());
  }
  const databaseUrl = embedded?.url ?? config.database.url!;
  await runMigrations(databaseUrl);
  const app = await createApp({ config, databaseUrl });
  // Demo data (on by default with the embedded database) is seeded once, before the first request.
  const seeded = config.demo.seed ? await seedDemoData(app.get(DataSource)) : undefined;
  await app.listen(config.port, config.host);
  process.off('SIGINT', earlySignal).off('SIGTERM', earlySignal);

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(JSON.stringify({ level: 'info', msg: `received ${signal}, shutting down`, graceMs: config.shutdownGraceMs }));
    // In-flight requests get the grace period; the listener closes at once so new ones are refused.
    setTimeout(() => {
      console.error(JSON.stringify({ level: 'error', msg: 'grace period over, exiting' }));
      void stopEmbedded().finally(() => process.exit(1));
    }, config.shutdownGraceMs).unref();
    void app
      .close()
      .then(stopEmbedded)
      .then(() => stopTracing?.().catch(() => undefined))
      .then(() => process.exit(0));
  };
  // `on`, not `once`: a library using signal-exit re-raises the signal when it sees no other listener.
  process.on('SIGINT', () => shutdown('SIGINT')).on('SIGTERM', () => shutdown('SIGTERM'));
  const issuerLines = config.auth.embeddedIssuer ? authorizationServerBanner(app) : [`  Authorization server:   ${config.auth.issuer}`];
  const seedLine = seeded?.seeded.length ? [`  Demo data:              seeded ${seeded.seeded.join(', ')} (${seeded.rows} rows in ${seeded.ms} ms)`] : [];
  printBanner(config.publicUrl, Date.now() - startedAt, embedded !== undefined, [...issuerLines, ...seedLine]);
}

function printBanner(publicUrl: string, readyInMs: number, embeddedDatabase: boolean, issuerLines: string[]): void {
  const lines = [
    '',
    `Sales Analytics MCP server ready in ${(readyInMs / 1000).toFixed(1)} s`,
    `  API docs (Swagger UI):  ${publicUrl}/docs`,
    `  MCP endpoint:           ${publicUrl}/mcp`,
    `  Protected resource:     ${publicUrl}/.well-known/oauth-protected-resource`,
    `  Health:                 ${publicUrl}/health/ready`,
    `  Database:               ${embeddedDatabase ? 'embedded Postgres (DATA_DIR)' : 'DATABASE_URL'}`,
    ...issuerLines,
    '',
  ];
  console.log(lines.join('\n'));
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Start-up failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  }
  void stopEmbedded().finally(() => process.exit(1));
});
