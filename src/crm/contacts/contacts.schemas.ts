import { z } from 'zod';
import { cursorSchema, limitSchema } from '../../common/pagination/pagination.js';
import { externalIdSchema, queryText, requireSomeField, text, timestamps, uuidSchema, versionSchema } from '../shared/crm.schemas.js';

/** Fields a client may set. Strict: server-owned or unknown fields are 400s (catalog T47). */
export const createContactSchema = z.strictObject({
  externalId: externalIdSchema.nullable().optional(),
  accountId: uuidSchema.nullable().optional().describe('An account of yours, or null'),
  name: text(300),
  email: z.email({ error: 'must be an e-mail address' }).max(320).transform((value) => value.toLowerCase()).nullable().optional(),
  title: text(200).nullable().optional(),
});

export const updateContactSchema = createContactSchema
  .partial()
  .extend({ version: versionSchema })
  .superRefine(requireSomeField);

export const contactListQuerySchema = z.strictObject({
  q: queryText(200).optional().describe('Case-insensitive substring of the name or e-mail'),
  accountId: uuidSchema.optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});

export const contactSchema = z.object({
  id: uuidSchema,
  externalId: z.string().nullable(),
  accountId: z.string().nullable(),
  name: z.string(),
  email: z.string().nullable(),
  title: z.string().nullable(),
  version: z.number().int(),
  ...timestamps,
});

export const contactPageSchema = z.object({ data: z.array(contactSchema), nextCursor: z.string().nullable() });

export type CreateContactInput = z.output<typeof createContactSchema>;
export type UpdateContactInput = z.output<typeof updateContactSchema>;
export type ContactListQuery = z.output<typeof contactListQuerySchema>;
export type Contact = z.output<typeof contactSchema>;
