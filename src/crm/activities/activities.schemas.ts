import { z } from 'zod';
import { cursorSchema, limitSchema } from '../../common/pagination/pagination.js';
import { ACTIVITY_TYPES, externalIdSchema, text, uuidSchema } from '../shared/crm.schemas.js';

export const activityTypeSchema = z.enum(ACTIVITY_TYPES);

/** Logging an activity on an opportunity; the account comes from the opportunity. Strict (catalog T47). */
export const logActivitySchema = z.strictObject({
  externalId: externalIdSchema.nullable().optional(),
  type: activityTypeSchema,
  subject: text(500),
  body: z.string().max(20_000).nullable().optional(),
  occurredAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional().describe('Default: now'),
});

export const activitySchema = z.object({
  id: uuidSchema,
  externalId: z.string().nullable(),
  accountId: z.string().nullable(),
  opportunityId: z.string().nullable(),
  type: activityTypeSchema,
  subject: z.string(),
  body: z.string().nullable(),
  occurredAt: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
});

/** `GET /crm/opportunities/:id/activities`: newest first (by when they happened), cursor-paginated. */
export const activityListQuerySchema = z.strictObject({ cursor: cursorSchema.optional(), limit: limitSchema });
export const activityPageSchema = z.object({ data: z.array(activitySchema), nextCursor: z.string().nullable() });

export type ActivityListQuery = z.output<typeof activityListQuerySchema>;
export type LogActivityInput = z.output<typeof logActivitySchema>;
export type Activity = z.output<typeof activitySchema>;
