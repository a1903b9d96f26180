import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DestinationRow } from '../destinations/destinations.repository.js';
import type { NotificationRow } from '../notifications.repository.js';
import { returnedRows } from '../sql.js';
import type { ClaimedMessage } from './outbox.repository.js';

export type AttemptOutcome = 'delivered' | 'failed' | 'refused';

export interface AttemptResult {
  outcome: AttemptOutcome;
  httpStatus?: number;
  error?: string;
}

/** What becomes of the message after an attempt. */
export type Settlement = { status: 'delivered' } | { status: 'retry'; delayMs: number } | { status: 'dead' };

export interface StartedDelivery {
  notification?: NotificationRow;
  destination?: DestinationRow;
  /** false when no attempt was recorded: the notification is not pending, or no attempts are left. */
  started: boolean;
}

const ABANDONED = `'lease expired before an outcome was recorded'`;

/**
 * SQL the deliverer runs, always inside the message's tenant transaction. Each step is one
 * statement (data-modifying CTEs): every delivery costs two short transactions besides its share
 * of a claim, which matters more than anything else to the outbox's throughput.
 */
@Injectable()
export class DeliveryRepository {
  /**
   * Loads the notification and its destination and records attempt `message.attempt` as begun,
   * unless the notification is no longer pending or the attempt exceeds the maximum. An earlier
   * attempt still without an outcome was cut short (its worker died, its lease ran out): it is
   * marked abandoned, as it may or may not have reached the receiver.
   */
  async begin(manager: EntityManager, message: ClaimedMessage, workerId: string): Promise<StartedDelivery> {
    const rows: { notification: NotificationRow; destination: DestinationRow | null; started: boolean }[] = await manager.query(
      `WITH n AS (SELECT * FROM notifications WHERE tenant_id = $1 AND id = $2),
            abandoned AS (
              UPDATE notification_attempts SET outcome = 'abandoned', finished_at = now(), error = ${ABANDONED}
               WHERE tenant_id = $1 AND notification_id = $2 AND outcome IS NULL),
            started AS (
              INSERT INTO notification_attempts (tenant_id, notification_id, attempt, worker_id)
              SELECT $1::text, $2::uuid, $3::int, $4::text FROM n WHERE n.status = 'pending' AND $3::int <= $5::int
              ON CONFLICT DO NOTHING RETURNING attempt)
       SELECT to_jsonb(n) AS notification, to_jsonb(d) AS destination, EXISTS (SELECT 1 FROM started) AS started
         FROM n LEFT JOIN notification_destinations d ON d.tenant_id = n.tenant_id AND d.id = n.destination_id`,
      [message.tenantId, message.notificationId, message.attempt, workerId, message.maxAttempts],
    );
    const [row] = rows;
    return { notification: row?.notification, destination: row?.destination ?? undefined, started: row?.started ?? false };
  }

  /**
   * Records the attempt's outcome and settles the message in one statement: the outbox row is
   * deleted (delivered, dead) or made due later (retry) only while this worker's lease holds, and
   * the notification's status changes only with it. Returns false when the lease was lost.
   */
  async settle(manager: EntityManager, message: ClaimedMessage, result: AttemptResult, settlement: Settlement): Promise<boolean> {
    const outbox =
      settlement.status === 'retry'
        ? `UPDATE notification_outbox SET available_at = now() + $8::int * interval '1 millisecond', lease_token = NULL, lease_owner = NULL
            WHERE tenant_id = $1 AND notification_id = $2 AND lease_token = $4 RETURNING 1`
        : `DELETE FROM notification_outbox WHERE tenant_id = $1 AND notification_id = $2 AND lease_token = $4 RETURNING 1`;
    const settled = await manager.query(
      `WITH finished AS (
              UPDATE notification_attempts SET finished_at = now(), outcome = $5::text, http_status = $6::int, error = left($7::text, 500)
               WHERE tenant_id = $1 AND notification_id = $2 AND attempt = $3::int),
            held AS (${outbox})
       UPDATE notifications SET status = $9::text, attempt_count = $3::int, updated_at = now(),
              delivered_at = CASE WHEN $9::text = 'delivered' THEN now() END,
              last_error = CASE WHEN $9::text = 'delivered' THEN last_error ELSE left($7::text, 500) END,
              next_attempt_at = CASE WHEN $10::boolean THEN now() + $8::int * interval '1 millisecond' END
        WHERE tenant_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM held) RETURNING 1`,
      [
        message.tenantId,
        message.notificationId,
        message.attempt,
        message.leaseToken,
        result.outcome,
        result.httpStatus ?? null,
        result.error ?? null,
        settlement.status === 'retry' ? settlement.delayMs : 0,
        settlement.status === 'retry' ? 'pending' : settlement.status,
        settlement.status === 'retry',
      ],
    );
    return returnedRows(settled).length > 0;
  }

  /** No attempts left and the last one never reported: dead-letter it without another delivery. */
  async exhaust(manager: EntityManager, message: ClaimedMessage): Promise<boolean> {
    const result = await manager.query(
      `WITH held AS (DELETE FROM notification_outbox WHERE tenant_id = $1 AND notification_id = $2 AND lease_token = $3 RETURNING 1)
       UPDATE notifications SET status = 'dead', attempt_count = $4::int, last_error = 'the final attempt ended without an outcome',
              next_attempt_at = NULL, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND EXISTS (SELECT 1 FROM held) RETURNING 1`,
      [message.tenantId, message.notificationId, message.leaseToken, message.attempt - 1],
    );
    return returnedRows(result).length > 0;
  }
}
