import 'reflect-metadata';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import type { AppModuleOptions } from '../../src/app.module.js';
import { SECRETS_FILE } from '../../src/authorization-server/local-secrets.js';
import { parseConfig, type AppConfig } from '../../src/config/app-config.js';
import { createDataSource } from '../../src/database/data-source.js';
import { findFreePort } from '../../src/database/embedded-postgres.js';
import { ProbeModule } from './probe.module.js';
import { testDatabaseUrl } from './test-app.js';

export interface EmbeddedIssuerApp {
  app: NestFastifyApplication;
  baseUrl: string;
  config: AppConfig;
  dataDir: string;
  port: number;
  /** The demo client secret the app generated under its DATA_DIR (or DEMO_CLIENT_SECRET). */
  demoSecret: string;
  close(): Promise<void>;
}

export interface EmbeddedIssuerOptions {
  /** Reuse a DATA_DIR (a restart); a fresh temporary one by default. */
  dataDir?: string;
  /** Reuse a port (a restart keeps the issuer URL); a free one by default. */
  port?: number;
  env?: Record<string, string>;
  extraImports?: AppModuleOptions['extraImports'];
}

/** A fresh DATA_DIR for one test file; remove it with `removeDataDir`. */
export async function makeDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sales-oauth-'));
  await chmod(dir, 0o755);
  return dir;
}

export function removeDataDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/**
 * The real app with the embedded authorization server (AUTH_ISSUER unset) on 127.0.0.1, probe
 * routes mounted, PUBLIC_URL = its own address: the resource server discovers and fetches the
 * keys of its own /oauth over HTTP, exactly as it would an external issuer's.
 */
export async function startEmbeddedIssuerApp(options: EmbeddedIssuerOptions = {}): Promise<EmbeddedIssuerApp> {
  const databaseUrl = testDatabaseUrl();
  const dataDir = options.dataDir ?? (await makeDataDir());
  const port = options.port ?? (await findFreePort());
  const config = parseConfig({
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...options.env,
  });
  const app = await createApp({ config, databaseUrl, extraImports: options.extraImports ?? [ProbeModule] });
  await app.listen(port, '127.0.0.1');
  const stored = JSON.parse(await readFile(join(dataDir, SECRETS_FILE), 'utf8').catch(() => '{}')) as { demoClientSecret?: string };
  const demoSecret = config.demo.clientSecret ?? stored.demoClientSecret ?? '';
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    dataDir,
    port,
    demoSecret,
    close: async () => {
      await app.close();
      if (!options.dataDir) await removeDataDir(dataDir);
    },
  };
}

/** Deletes clients a test registered (RFC 7591), and their grants, codes and tokens, from the authorization server's state. */
export async function deleteRegisteredClients(clientIds: string[]): Promise<void> {
  const dataSource = createDataSource({ url: testDatabaseUrl(), asAppRole: false, poolSize: 1 });
  await dataSource.initialize();
  try {
    await dataSource.query(`DELETE FROM oauth_state WHERE (model = 'Client' AND id = ANY($1)) OR payload->>'clientId' = ANY($1)`, [clientIds]);
  } finally {
    await dataSource.destroy();
  }
}
