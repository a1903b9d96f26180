import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { inject } from 'vitest';
import { createApp, listeningUrl } from '../../src/app.factory.js';
import type { AppModuleOptions } from '../../src/app.module.js';
import { parseConfig, type AppConfig } from '../../src/config/app-config.js';
import { findFreePort } from '../../src/database/embedded-postgres.js';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  config: AppConfig;
  close(): Promise<void>;
}

/** The URL of the run's test database (see test/setup/global-setup.ts). */
export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

/**
 * Boots the real AppModule on 127.0.0.1 (a free port) against the run's test database, with
 * environment overrides parsed by the same config schema as production.
 */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  extraImports: AppModuleOptions['extraImports'] = [],
): Promise<TestApp> {
  // A spec may bring its own database (DATABASE_URL in env); by default, the run's.
  const databaseUrl = env.DATABASE_URL ?? testDatabaseUrl();
  // The public URL (and so the token audience) names the port, so pick it before booting.
  const port = await findFreePort();
  const config = parseConfig({
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...env,
  });
  const app = await createApp({ config, databaseUrl, extraImports });
  await app.listen(port, '127.0.0.1');
  const baseUrl = listeningUrl(app);
  return { app, baseUrl, config, close: () => app.close() };
}
