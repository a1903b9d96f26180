import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type NotificationStatus = 'pending' | 'delivered' | 'dead';

export interface NotificationRow {
  tenant_id: string;
  id: string;
  destination_id: string | null;
  destination_name: string;
  source: 'api' | 'rule';
  event_type: string;
  created_by: string;
  subject: string;
  body: string;
  severity: 'info' | 'warning' | 'critical';
  data: Record<string, unknown>;
  status: NotificationStatus;
  attempt_count: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

export interface AttemptRow {
  attempt: number;
  worker_id: string;
  started_at: Date;
  finished_at: Date | null;
  outcome: 'delivered' | 'failed' | 'refused' | 'abandoned' | null;
  http_status: number | null;
  error: string | null;
}

export interface NewNotification {
  id: string;
  tenantId: string;
  destinationId: string;
  destinationName: string;
  source: 'api' | 'rule';
  eventType: string;
  /** Set for rule-triggered notifications: a second insert with the same key is a no-op. */
  dedupeKey: string | null;
  createdBy: string;
  subject: string;
  body: string;
  severity: string;
  data: Record<string, unknown>;
}

/** SQL of notifications and their attempts as the API reads them (writes: OutboxRepository.enqueue). */
@Injectable()
export class NotificationsRepository {
  async find(manager: EntityManager, tenantId: string, id: string): Promise<NotificationRow | undefined> {
    const rows: NotificationRow[] = await manager.query(`SELECT * FROM notifications WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0];
  }

  attempts(manager: EntityManager, tenantId: string, id: string): Promise<AttemptRow[]> {
    return manager.query(
      `SELECT attempt, worker_id, started_at, finished_at, outcome, http_status, error
         FROM notification_attempts WHERE tenant_id = $1 AND notification_id = $2 ORDER BY attempt`,
      [tenantId, id],
    );
  }
}
