import type { AttemptRow, NotificationRow } from './notifications.repository.js';
import type { NotificationView } from './notifications.schemas.js';
import { iso } from './sql.js';

export function toNotificationView(row: NotificationRow, attempts: AttemptRow[]): NotificationView {
  return {
    id: row.id,
    status: row.status,
    destination: { id: row.destination_id, name: row.destination_name },
    source: row.source,
    eventType: row.event_type,
    subject: row.subject,
    text: row.body,
    severity: row.severity,
    data: row.data,
    createdAt: iso(row.created_at)!,
    ...(row.delivered_at ? { deliveredAt: iso(row.delivered_at) } : {}),
    ...(row.next_attempt_at && row.status === 'pending' ? { nextAttemptAt: iso(row.next_attempt_at) } : {}),
    ...(row.last_error ? { lastError: row.last_error } : {}),
    attempts: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      startedAt: iso(attempt.started_at)!,
      ...(attempt.finished_at ? { finishedAt: iso(attempt.finished_at) } : {}),
      outcome: attempt.outcome ?? 'in_progress',
      ...(attempt.http_status !== null ? { httpStatus: attempt.http_status } : {}),
      ...(attempt.error ? { error: attempt.error } : {}),
    })),
  };
}
