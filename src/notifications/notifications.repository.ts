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

/** SQL of notifications and their attempts as the API sees them. */
@Injectable()
export class NotificationsRepository {
  /** Inserts a pending notification; false when its dedupe key was already used. */
  async insert(manager: EntityManager, n: NewNotification): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO notifications (tenant_id, id, destination_id, destination_name, source, event_type, dedupe_key, created_by, subject, body, severity, data, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending')
       ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING id`,
      [n.tenantId, n.id, n.destinationId, n.destinationName, n.source, n.eventType, n.dedupeKey, n.createdBy, n.subject, n.body, n.severity, n.data],
    );
    return rows.length > 0;
  }

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
