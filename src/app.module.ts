import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { LoggingModule } from './common/logging/logging.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { AuthModule } from './auth/auth.module.js';
import { AuditModule } from './audit/audit.module.js';
import { CrmModule } from './crm/crm.module.js';
import { McpModule } from './mcp/mcp.module.js';
import { MetadataModule } from './metadata/metadata.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { SalesModule } from './sales/sales.module.js';
import { InsightsModule } from './insights/insights.module.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { AuthorizationServerModule } from './authorization-server/authorization-server.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  /** The database the app runs on (the embedded one's URL when DATABASE_URL is unset). */
  databaseUrl: string;
  /** Extra modules (tests mount probe controllers this way). */
  extraImports?: NonNullable<DynamicModule['imports']>;
}

/**
 * The application root. Adding a feature = one folder with its module, then one line in
 * `featureModules` below; its scopes go in `auth/scope.ts`, its migration in `database/migrations.ts`.
 */
@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl, extraImports = [] }: AppModuleOptions): DynamicModule {
    const featureModules: DynamicModule['imports'] = [
      CrmModule,
      SalesModule,
      InsightsModule,
      NotificationsModule,
      AuditModule,
      McpModule.forRoot({ conformanceFixtures: config.mcp.conformanceFixtures }),
    ];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // createApp installs the `@RequestHook()` providers it finds (common/http/request-hook.ts).
        DiscoveryModule,
        LoggingModule.forRoot(config.logLevel),
        DatabaseModule.forRoot(databaseUrl),
        EventEmitterModule.forRoot({ wildcard: false }),
        ObservabilityModule,
        HealthModule,
        AuthModule,
        // Right after AuthModule: its global guard must run after the auth guards (it reads the principal).
        RateLimitModule,
        MetadataModule,
        // The embedded authorization server exists only while no external issuer is configured.
        ...(config.auth.embeddedIssuer ? [AuthorizationServerModule] : []),
        ...featureModules,
        ...extraImports,
      ],
    };
  }
}
