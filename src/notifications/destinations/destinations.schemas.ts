import { z } from 'zod';

export const DESTINATION_TYPES = ['webhook', 'slack', 'email'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

export const destinationName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: 'must be 1-63 lower-case letters, digits, "-" or "_", starting with a letter or digit' });

const destinationUrl = z.string().min(1).max(2048);
const recipients = z.array(z.email().max(320)).min(1).max(20);

export const createDestinationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('webhook'), name: destinationName, url: destinationUrl, enabled: z.boolean().default(true) }),
  z.strictObject({ type: z.literal('slack'), name: destinationName, url: destinationUrl, enabled: z.boolean().default(true) }),
  z.strictObject({ type: z.literal('email'), name: destinationName, recipients, enabled: z.boolean().default(true) }),
]);
export type CreateDestinationInput = z.output<typeof createDestinationSchema>;

export const updateDestinationSchema = z
  .strictObject({
    name: destinationName.optional(),
    url: destinationUrl.optional(),
    recipients: recipients.optional(),
    enabled: z.boolean().optional(),
    // Issues a new signing secret (webhooks), shown once in this response; the old one stops working.
    rotateSecret: z.literal(true).optional(),
    // Optimistic locking: when given and stale, nothing is written (409).
    version: z.int().positive().optional(),
  })
  .refine((input) => Object.keys(input).some((key) => key !== 'version'), { error: 'names no field to change' });
export type UpdateDestinationInput = z.output<typeof updateDestinationSchema>;

export const destinationIdParams = z.strictObject({ id: z.uuid({ error: 'must be a UUID' }) });

export const destinationViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.enum(DESTINATION_TYPES),
  // Slack URLs are credentials: shown masked. E-mail destinations have recipients instead.
  url: z.string().optional(),
  recipients: z.array(z.string()).optional(),
  enabled: z.boolean(),
  // True when the host is on NOTIFY_ALLOW_LOCAL_HOSTS (operator config), so it may be local.
  allowLocal: z.boolean(),
  hasSigningSecret: z.boolean(),
  // Present only in the response that created or rotated it.
  signingSecret: z.string().optional(),
  version: z.int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DestinationView = z.output<typeof destinationViewSchema>;
