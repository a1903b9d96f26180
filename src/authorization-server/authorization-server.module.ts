import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantsService } from '../auth/tenants/tenants.service.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DEMO_TENANTS } from './demo-identities.js';
import { EmbeddedAuthorizationServer } from './embedded-authorization-server.js';
import { InteractionController } from './interaction.controller.js';

/**
 * The embedded OAuth 2.1 authorization server (oidc-provider), for local use: imported only when
 * AUTH_ISSUER is unset. `mountAuthorizationServer` mounts it as middleware under /oauth.
 * The demo tenants its demo clients and users belong to are created at start-up if missing.
 */
@Module({
  controllers: [InteractionController],
  providers: [
    {
      provide: EmbeddedAuthorizationServer,
      inject: [APP_CONFIG, DataSource],
      useFactory: (config: AppConfig, dataSource: DataSource) => EmbeddedAuthorizationServer.create(config, dataSource),
    },
  ],
  exports: [EmbeddedAuthorizationServer],
})
export class AuthorizationServerModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuthorizationServer');

  constructor(
    private readonly tenants: TenantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const tenant of DEMO_TENANTS) {
      if (await this.tenants.create(tenant.id, tenant.name)) this.logger.log(`created demo tenant ${tenant.id}`);
    }
    this.logger.log(`embedded authorization server at ${this.config.auth.issuer} (for local use; set AUTH_ISSUER in production)`);
    if (this.config.nodeEnv === 'production') {
      // Its login page asks for no password: whoever reaches /oauth can act as any demo user.
      this.logger.warn('NODE_ENV=production without AUTH_ISSUER: the embedded demo authorization server is on; set AUTH_ISSUER to your identity provider');
    }
  }
}
