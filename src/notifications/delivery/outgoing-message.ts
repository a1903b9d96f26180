import type { NotificationRow } from '../notifications.repository.js';

/** What every channel sends: the same content and the same event id on every attempt. */
export interface OutgoingMessage {
  eventId: string;
  eventType: string;
  attempt: number;
  subject: string;
  text: string;
  severity: string;
  data: Record<string, unknown>;
  createdAt: string;
}

export interface ChannelResult {
  outcome: 'delivered' | 'failed' | 'refused';
  /** false: retrying the same request cannot help (policy refusal, 4xx, permanent SMTP reply). */
  retryable: boolean;
  httpStatus?: number;
  error?: string;
}

export function toOutgoingMessage(row: NotificationRow, attempt: number): OutgoingMessage {
  return {
    eventId: row.id,
    eventType: row.event_type,
    attempt,
    subject: row.subject,
    text: row.body,
    severity: row.severity,
    data: row.data,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The webhook body: stable across attempts (only the signature's timestamp changes). */
export function webhookBody(message: OutgoingMessage): string {
  return JSON.stringify({
    id: message.eventId,
    type: message.eventType,
    createdAt: message.createdAt,
    severity: message.severity,
    subject: message.subject,
    text: message.text,
    data: message.data,
  });
}

/** Plain text for e-mail and Slack: the text, then one `key: value` line per data field. */
export function plainText(message: OutgoingMessage): string {
  const fields = Object.entries(message.data).map(([key, value]) => `${key}: ${value === null ? '' : String(value)}`);
  return [message.text, ...(fields.length ? ['', ...fields] : [])].join('\n').trim();
}
