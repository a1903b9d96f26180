import { z } from 'zod';
import { cursorSchema, limitSchema } from '../../common/pagination/pagination.js';
import { externalIdSchema, queryText, requireSomeField, segmentSchema, text, timestamps, uuidSchema, versionSchema } from '../shared/crm.schemas.js';

const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, { error: 'must be a domain name' });

/** Fields a client may set. Strict: `id`, `tenantId`, `version`, timestamps… are 400s (catalog T47). */
export const createAccountSchema = z.strictObject({
  externalId: externalIdSchema.nullable().optional(),
  name: text(300),
  domain: domainSchema.nullable().optional(),
  industry: text(100).nullable().optional(),
  segment: segmentSchema.nullable().optional(),
  region: text(100).nullable().optional().describe('e.g. North America, EMEA, APAC, LATAM'),
  owner: text(200).nullable().optional(),
});

export const updateAccountSchema = createAccountSchema
  .partial()
  .extend({ version: versionSchema })
  .superRefine(requireSomeField);

export const accountListQuerySchema = z.strictObject({
  q: queryText(200).optional().describe('Case-insensitive substring of the name or domain'),
  region: queryText(100).optional(),
  segment: segmentSchema.optional(),
  owner: queryText(200).optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});

export const accountSchema = z.object({
  id: uuidSchema,
  externalId: z.string().nullable(),
  name: z.string(),
  domain: z.string().nullable(),
  industry: z.string().nullable(),
  segment: segmentSchema.nullable(),
  region: z.string().nullable(),
  owner: z.string().nullable(),
  version: z.number().int(),
  ...timestamps,
});

export const accountPageSchema = z.object({ data: z.array(accountSchema), nextCursor: z.string().nullable() });

export type CreateAccountInput = z.output<typeof createAccountSchema>;
export type UpdateAccountInput = z.output<typeof updateAccountSchema>;
export type AccountListQuery = z.output<typeof accountListQuerySchema>;
export type Account = z.output<typeof accountSchema>;
