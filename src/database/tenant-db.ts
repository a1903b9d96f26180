import { Injectable, Optional } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { TenantChangeFeed } from './tenant-changes/tenant-change-feed.js';

/**
 * Runs work inside one transaction bound to a tenant. `app.tenant_id` is set transaction-locally,
 * so the row-level-security policies of every tenant-owned table see only that tenant's rows —
 * the second wall behind the repositories' own `tenant_id` filters. The transaction is ours, not
 * TypeORM's (its `transaction()` spends a round trip on START TRANSACTION alone): work inside
 * nests with SAVEPOINTs, never with `manager.transaction()`.
 */
@Injectable()
export class TenantDb {
  constructor(
    readonly dataSource: DataSource,
    // Absent in standalone scripts (import CLI, backtest, benches): they cache nothing.
    @Optional() private readonly changes?: TenantChangeFeed,
  ) {}

  async run<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      // One round trip opens the transaction and binds the tenant (a simple query may hold two
      // statements; a parameter may not, hence the escaped literal — of a claim-validated id).
      // Round trips are what a read costs here: 4 → 3 is 0.72 × the CPU (`npm run bench:db`).
      await runner.query(`START TRANSACTION; SELECT set_config('app.tenant_id', ${pg.escapeLiteral(tenantId)}, true)`);
      const result = await work(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
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
