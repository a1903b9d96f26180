import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Runs work inside one transaction bound to a tenant. `app.tenant_id` is set transaction-locally,
 * so the row-level-security policies of every tenant-owned table see only that tenant's rows —
 * the second wall behind the repositories' own `tenant_id` filters.
 */
@Injectable()
export class TenantDb {
  constructor(readonly dataSource: DataSource) {}

  run<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return work(manager);
    });
  }
}
