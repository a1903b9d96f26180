import { Injectable, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TenantChangeFeed } from './tenant-changes/tenant-change-feed.js';

/**
 * Runs work inside one transaction bound to a tenant. `app.tenant_id` is set transaction-locally,
 * so the row-level-security policies of every tenant-owned table see only that tenant's rows —
 * the second wall behind the repositories' own `tenant_id` filters.
 */
@Injectable()
export class TenantDb {
  constructor(
    readonly dataSource: DataSource,
    // Absent in standalone scripts (import CLI, backtest, benches): they cache nothing.
    @Optional() private readonly changes?: TenantChangeFeed,
  ) {}

  run<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return work(manager);
    });
  }

  /**
   * A transaction that changes the tenant's CRM data. Afterwards (committed or not: a needless
   * drop is harmless) this instance forgets its cached answers for the tenant at once, so the
   * caller reads its own write; other instances hear of it from Postgres (TenantChangeFeed).
   */
  async write<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.run(tenantId, work);
    } finally {
      this.changes?.changed(tenantId);
    }
  }
}
