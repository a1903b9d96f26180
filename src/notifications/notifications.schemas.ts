import { z } from 'zod';

export const NOTIFICATION_STATUSES = ['pending', 'delivered', 'dead'] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;

// Names and ids never contain these; a URL, a host, an IP address or an e-mail address always does.
const LOOKS_LIKE_ADDRESS = /[:/@\\.[\]]/;

/**
 * A configured destination, by its id or its name. Never a URL or an address: an agent chooses
 * among what the tenant configured and cannot make the server call somewhere else.
 */
export const destinationRef = z
  .string()
  .min(1)
  .max(100)
  .refine((value) => !LOOKS_LIKE_ADDRESS.test(value), {
    error: 'must name a configured destination (its id or name), not a URL or an address',
  });

const dataValue = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);

export const sendNotificationSchema = z.strictObject({
  destination: destinationRef.describe('The id or name of a destination the tenant configured'),
  // One line: it becomes an e-mail Subject header and a Slack title.
  subject: z.string().trim().min(1).max(200).regex(/^[^\r\n]*$/, { error: 'must be a single line' }),
  text: z.string().max(4000).default(''),
  severity: z.enum(SEVERITIES).default('info'),
  data: z
    .record(z.string().min(1).max(64), dataValue)
    .refine((value) => Object.keys(value).length <= 20, { error: 'may hold at most 20 fields' })
    .default({}),
});
export type SendNotificationInput = z.output<typeof sendNotificationSchema>;

/** The MCP tool's input: the same fields, plus the idempotency key that REST carries in a header. */
export const notificationsSendToolInputSchema = sendNotificationSchema.extend({
  // The same rule as the Idempotency-Key header: 1-255 visible ASCII characters.
  idempotencyKey: z
    .string()
    .regex(/^[\x21-\x7E]{1,255}$/, { error: 'must be 1-255 visible ASCII characters' })
    .optional()
    .describe('Retrying with the same key returns the first result instead of sending twice'),
});

export const sendNotificationResultSchema = z.object({
  id: z.uuid(),
  status: z.enum(NOTIFICATION_STATUSES),
});
export type SendNotificationResult = z.output<typeof sendNotificationResultSchema>;

export const notificationIdParams = z.strictObject({ id: z.uuid({ error: 'must be a UUID' }) });

export const attemptViewSchema = z.object({
  attempt: z.int(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(['delivered', 'failed', 'refused', 'abandoned', 'in_progress']),
  httpStatus: z.int().optional(),
  error: z.string().optional(),
});

export const notificationViewSchema = z.object({
  id: z.uuid(),
  status: z.enum(NOTIFICATION_STATUSES),
  destination: z.object({ id: z.uuid().nullable(), name: z.string() }),
  source: z.enum(['api', 'rule']),
  eventType: z.string(),
  subject: z.string(),
  text: z.string(),
  severity: z.enum(SEVERITIES),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  deliveredAt: z.string().optional(),
  nextAttemptAt: z.string().optional(),
  lastError: z.string().optional(),
  attempts: z.array(attemptViewSchema),
});
export type NotificationView = z.output<typeof notificationViewSchema>;
