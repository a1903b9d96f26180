import type Provider from 'oidc-provider';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { loadOrCreateSecrets, loadOrCreateSigningKeys } from './local-secrets.js';
import { createOidcProvider } from './oidc-configuration.js';
import { PostgresOidcAdapter } from './postgres-oidc.adapter.js';

export interface DemoSecret {
  value: string;
  /** Where it came from, for the banner: the operator's variable, or generated and kept under DATA_DIR. */
  source: 'DEMO_CLIENT_SECRET' | 'generated';
}

/** The running embedded authorization server: the oidc-provider instance and its demo secret. */
export class EmbeddedAuthorizationServer {
  private constructor(
    readonly provider: Provider,
    readonly config: AppConfig,
    readonly demoSecret: DemoSecret,
  ) {}

  /** Loads (or creates once) keys and secrets under DATA_DIR and builds the provider on Postgres. */
  static async create(config: AppConfig, dataSource: DataSource): Promise<EmbeddedAuthorizationServer> {
    const fromEnv = config.demo.clientSecret;
    const [jwks, secrets] = await Promise.all([
      loadOrCreateSigningKeys(config.dataDir),
      loadOrCreateSecrets(config.dataDir, fromEnv === undefined),
    ]);
    const demoSecret: DemoSecret = fromEnv
      ? { value: fromEnv, source: 'DEMO_CLIENT_SECRET' }
      : { value: secrets.demoClientSecret!, source: 'generated' };
    const provider = await createOidcProvider({
      config,
      jwks,
      cookieKeys: secrets.cookieKeys,
      demoClientSecret: demoSecret.value,
      adapter: PostgresOidcAdapter.factory(dataSource),
    });
    return new EmbeddedAuthorizationServer(provider, config, demoSecret);
  }
}
