import { z } from 'zod';
import { cursorSchema, limitSchema } from '../../common/pagination/pagination.js';
import {
  amountSchema,
  currencySchema,
  externalIdSchema,
  forecastCategorySchema,
  isoDateSchema,
  queryText,
  requireSomeField,
  segmentSchema,
  stageSchema,
  text,
  timestamps,
  uuidSchema,
  versionSchema,
} from '../shared/crm.schemas.js';

/** Fields a client may set. Strict: `id`, `tenantId`, `version` outside updates, timestamps… are 400s. */
export const createOpportunitySchema = z.strictObject({
  externalId: externalIdSchema.nullable().optional(),
  accountId: uuidSchema.nullable().optional().describe('An account of yours, or null'),
  name: text(300),
  amount: amountSchema.nullable().optional().describe('Decimal amount (≤ 2 decimals); null when not valued yet'),
  currency: currencySchema.optional().describe('ISO 4217, default USD'),
  stage: stageSchema.optional().describe('Default prospecting'),
  probability: z.number().int().min(0).max(100).optional().describe('Default: from the stage'),
  forecastCategory: forecastCategorySchema.optional().describe('Default: from the stage'),
  closeDate: isoDateSchema.nullable().optional(),
  owner: text(200).nullable().optional(),
  product: text(200).nullable().optional(),
});

export const updateOpportunitySchema = createOpportunitySchema
  .partial()
  .extend({ version: versionSchema })
  .superRefine(requireSomeField);

const stageListSchema = z
  .string()
  .max(200)
  .transform((value) => value.split(',').map((item) => item.trim()))
  .pipe(z.array(stageSchema).min(1).max(6))
  .describe('One stage or a comma-separated list');

export const opportunityListQuerySchema = z.strictObject({
  q: queryText(200).optional().describe('Case-insensitive substring of the name'),
  stage: stageListSchema.optional(),
  accountId: uuidSchema.optional(),
  owner: queryText(200).optional(),
  product: queryText(200).optional(),
  region: queryText(100).optional().describe("The account's region"),
  segment: segmentSchema.optional().describe("The account's segment"),
  closeFrom: isoDateSchema.optional().describe('Close date on or after'),
  closeTo: isoDateSchema.optional().describe('Close date on or before'),
  cursor: cursorSchema,
  limit: limitSchema,
});

export const opportunitySchema = z.object({
  id: uuidSchema,
  externalId: z.string().nullable(),
  accountId: z.string().nullable(),
  name: z.string(),
  amount: z.number().nullable(),
  currency: z.string(),
  stage: stageSchema,
  probability: z.number().int(),
  forecastCategory: forecastCategorySchema,
  closeDate: z.string().nullable(),
  owner: z.string().nullable(),
  product: z.string().nullable(),
  version: z.number().int(),
  ...timestamps,
  closedAt: z.string().nullable(),
});

export const opportunityPageSchema = z.object({ data: z.array(opportunitySchema), nextCursor: z.string().nullable() });

export type CreateOpportunityInput = z.output<typeof createOpportunitySchema>;
export type UpdateOpportunityInput = z.output<typeof updateOpportunitySchema>;
export type OpportunityListQuery = z.output<typeof opportunityListQuerySchema>;
export type Opportunity = z.output<typeof opportunitySchema>;
