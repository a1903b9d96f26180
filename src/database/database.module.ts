import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions } from './data-source.js';
import { TenantDb } from './tenant-db.js';
import { CHANGE_FEED_DATABASE_URL, TenantChangeFeed } from './tenant-changes/tenant-change-feed.js';
import { TenantReadCache } from './tenant-changes/tenant-read-cache.js';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions({ url, asAppRole: true }),
          retryAttempts: 3,
          retryDelay: 1_000,
        }),
      ],
      providers: [TenantDb, TenantChangeFeed, TenantReadCache, { provide: CHANGE_FEED_DATABASE_URL, useValue: url }],
      exports: [TenantDb, TenantChangeFeed, TenantReadCache],
    };
  }
}
