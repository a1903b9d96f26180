import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DestinationRow } from '../destinations/destinations.repository.js';
import type { NotificationRow } from '../notifications.repository.js';

export type AttemptOutcome = 'delivered' | 'failed' | 'refused';

export interface AttemptResult {
  outcome: AttemptOutcome;
  httpStatus?: number;
  error?: string;
}

/** SQL the deliverer runs, always inside the message's tenant transaction. */
@Injectable()
export class DeliveryRepository {
  async load(manager: EntityManager, tenantId: string, notificationId: string): Promise<{ notification?: NotificationRow; destination?: DestinationRow }> {
    const [notification]: NotificationRow[] = await manager.query(
      `SELECT * FROM notifications WHERE tenant_id = $1 AND id = $2`,
      [tenantId, notificationId],
    );
    if (!notification?.destination_id) return { notification };
    const [destination]: DestinationRow[] = await manager.query(
      `SELECT * FROM notification_destinations WHERE tenant_id = $1 AND id = $2`,
      [tenantId, notification.destination_id],
    );
    return { notification, destination };
  }

  /**
   * Records that attempt `attempt` begins. An earlier attempt still without an outcome was cut
   * short (its worker died and its lease ran out): it is marked abandoned, as it may or may not
   * have reached the receiver.
   */
  async startAttempt(manager: EntityManager, tenantId: string, notificationId: string, attempt: number, workerId: string): Promise<void> {
    await this.abandonUnfinished(manager, tenantId, notificationId);
    await manager.query(
      `INSERT INTO notification_attempts (tenant_id, notification_id, attempt, worker_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [tenantId, notificationId, attempt, workerId],
    );
  }

  async abandonUnfinished(manager: EntityManager, tenantId: string, notificationId: string): Promise<void> {
    await manager.query(
      `UPDATE notification_attempts SET outcome = 'abandoned', finished_at = now(), error = 'lease expired before an outcome was recorded'
        WHERE tenant_id = $1 AND notification_id = $2 AND outcome IS NULL`,
      [tenantId, notificationId],
    );
  }

  async finishAttempt(manager: EntityManager, tenantId: string, notificationId: string, attempt: number, result: AttemptResult): Promise<void> {
    await manager.query(
      `UPDATE notification_attempts SET finished_at = now(), outcome = $4, http_status = $5, error = left($6, 500)
        WHERE tenant_id = $1 AND notification_id = $2 AND attempt = $3`,
      [tenantId, notificationId, attempt, result.outcome, result.httpStatus ?? null, result.error ?? null],
    );
  }

  async markDelivered(manager: EntityManager, tenantId: string, notificationId: string, attempt: number): Promise<void> {
    await manager.query(
      `UPDATE notifications SET status = 'delivered', delivered_at = now(), attempt_count = $3, next_attempt_at = NULL, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, notificationId, attempt],
    );
  }

  async markRetry(manager: EntityManager, tenantId: string, notificationId: string, attempt: number, error: string, delayMs: number): Promise<void> {
    await manager.query(
      `UPDATE notifications SET attempt_count = $3, last_error = left($4, 500), next_attempt_at = now() + $5 * interval '1 millisecond', updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, notificationId, attempt, error, delayMs],
    );
  }

  /** The dead-letter state: kept with its attempts for inspection, never retried by the worker. */
  async markDead(manager: EntityManager, tenantId: string, notificationId: string, attempt: number, error: string): Promise<void> {
    await manager.query(
      `UPDATE notifications SET status = 'dead', attempt_count = $3, last_error = left($4, 500), next_attempt_at = NULL, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, notificationId, attempt, error],
    );
  }
}
