import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { NewNotification } from '../notifications.repository.js';
import { returnedRows } from '../sql.js';

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** A message this worker holds a lease on; the lease token proves it when acknowledging. */
export interface ClaimedMessage extends RetryPolicy {
  tenantId: string;
  notificationId: string;
  /** This delivery's number, 1-based; counted at claim time, so a crash still counts. */
  attempt: number;
  leaseToken: string;
}

interface ClaimedRow {
  tenant_id: string;
  notification_id: string;
  attempts: number;
  lease_token: string;
  max_attempts: number;
  retry_base_ms: number;
  retry_max_ms: number;
}

/**
 * SQL of the transactional outbox. Rows are written in the sender's tenant transaction and
 * acknowledged in the deliverer's tenant transaction; only `claim` and `releaseOwned` look across
 * tenants, each in a short transaction that opts into the outbox policy's worker clause.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes a pending notification and its outbox row in one statement of the caller's
   * transaction: both or neither. False when the notification's dedupe key was used before.
   * `localHost`: the allow-listed host of a local-only destination, else null.
   */
  async enqueue(manager: EntityManager, n: NewNotification, localHost: string | null, policy: RetryPolicy): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `WITH n AS (
              INSERT INTO notifications (tenant_id, id, destination_id, destination_name, source, event_type, dedupe_key, created_by, subject, body, severity, data, status)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending')
              ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING tenant_id, id)
       INSERT INTO notification_outbox (tenant_id, notification_id, local_host, max_attempts, retry_base_ms, retry_max_ms)
       SELECT tenant_id, id, $13::text, $14::int, $15::int, $16::int FROM n RETURNING notification_id`,
      [
        n.tenantId, n.id, n.destinationId, n.destinationName, n.source, n.eventType, n.dedupeKey, n.createdBy, n.subject, n.body, n.severity, n.data,
        localHost, policy.maxAttempts, policy.retryBaseMs, policy.retryMaxMs,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Leases up to `limit` due messages: SKIP LOCKED lets concurrent claimers (other instances) pass
   * over rows being claimed, and pushing `available_at` past the lease hides them until it runs
   * out, so a crashed holder's message comes back exactly once per lease. Local-only messages
   * are claimed only by instances that allow-list their host.
   */
  claim(workerId: string, limit: number, leaseMs: number, allowLocalHosts: string[]): Promise<ClaimedMessage[]> {
    return this.asWorker(async (manager) => {
      const result = await manager.query(
        `UPDATE notification_outbox o
            SET attempts = o.attempts + 1, lease_token = gen_random_uuid(), lease_owner = $1,
                available_at = now() + $2 * interval '1 millisecond'
          WHERE (o.tenant_id, o.notification_id) IN (
                SELECT tenant_id, notification_id FROM notification_outbox
                 WHERE available_at <= now() AND (local_host IS NULL OR local_host = ANY($3::text[]))
                 ORDER BY available_at LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING o.tenant_id, o.notification_id, o.attempts, o.lease_token, o.max_attempts, o.retry_base_ms, o.retry_max_ms`,
        [workerId, leaseMs, allowLocalHosts, limit],
      );
      return returnedRows<ClaimedRow>(result).map((row) => ({
        tenantId: row.tenant_id,
        notificationId: row.notification_id,
        attempt: row.attempts,
        leaseToken: row.lease_token,
        maxAttempts: row.max_attempts,
        retryBaseMs: row.retry_base_ms,
        retryMaxMs: row.retry_max_ms,
      }));
    });
  }

  /** Drops a message whose notification is no longer pending; false when the lease was no longer ours. */
  async remove(manager: EntityManager, message: ClaimedMessage): Promise<boolean> {
    const result = await manager.query(
      `DELETE FROM notification_outbox WHERE tenant_id = $1 AND notification_id = $2 AND lease_token = $3 RETURNING notification_id`,
      [message.tenantId, message.notificationId, message.leaseToken],
    );
    return returnedRows(result).length > 0;
  }

  /** On shutdown: whatever this worker still holds becomes due at once instead of at lease expiry. */
  releaseOwned(workerId: string): Promise<number> {
    return this.asWorker(async (manager) => {
      const result = await manager.query(
        `UPDATE notification_outbox SET available_at = now(), lease_token = NULL, lease_owner = NULL WHERE lease_owner = $1 RETURNING notification_id`,
        [workerId],
      );
      return returnedRows(result).length;
    });
  }

  private asWorker<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      // Transaction-local: the cross-tenant view ends with this transaction, and no tenant is set.
      await manager.query(`SELECT set_config('app.outbox_worker', 'on', true)`);
      return work(manager);
    });
  }
}
