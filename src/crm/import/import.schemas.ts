import { z } from 'zod';
import {
  amountSchema,
  currencySchema,
  externalIdSchema,
  forecastCategorySchema,
  isoDateSchema,
  segmentSchema,
  stageSchema,
  text,
} from '../shared/crm.schemas.js';

export const MAX_IMPORT_ROWS = 100_000;
/** Rejections listed in a report; the count covers all of them. */
export const MAX_REPORTED_REJECTIONS = 1_000;

export const IMPORT_ENTITIES = ['opportunities', 'accounts'] as const;
export type ImportEntity = (typeof IMPORT_ENTITIES)[number];

export const OPPORTUNITY_IMPORT_FIELDS = [
  'externalId', 'name', 'accountExternalId', 'accountName', 'amount', 'currency', 'stage', 'status', 'probability',
  'forecastCategory', 'closeDate', 'owner', 'product', 'createdAt', 'closedAt',
] as const;
export const ACCOUNT_IMPORT_FIELDS = ['externalId', 'name', 'domain', 'industry', 'segment', 'region', 'owner', 'createdAt'] as const;
export const VALUE_MAPPED_FIELDS = ['stage', 'status', 'forecastCategory', 'segment'] as const;

const columnList = z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1).max(10)]);

/**
 * How the columns of an export map to our fields, and how its values map to ours. `columns`
 * lists, per field, the source column (or candidates, the first present wins). `values` maps
 * source values (case-insensitive) to ours. `status` is a pseudo-field: won/lost override the stage.
 */
export const importMappingSchema = z.strictObject({
  columns: z.partialRecord(z.enum([...OPPORTUNITY_IMPORT_FIELDS, ...ACCOUNT_IMPORT_FIELDS]), columnList).default({}),
  values: z.partialRecord(z.enum(VALUE_MAPPED_FIELDS), z.record(z.string().max(200), z.string().max(200))).default({}),
  /** How slashed dates read: 03/04/2024 is 4 March under MDY, 3 April under DMY. ISO dates always work. */
  dateFormat: z.enum(['MDY', 'DMY']).optional(),
});
export type ImportMapping = z.output<typeof importMappingSchema>;

export const IMPORT_PRESETS = ['hubspot', 'salesforce', 'pipedrive', 'maven'] as const;

export const importQuerySchema = z.strictObject({
  entity: z.enum(IMPORT_ENTITIES).optional().describe('What the rows are (default opportunities)'),
  mapping: z
    .string()
    .max(20_000)
    .optional()
    .describe(`A preset (${IMPORT_PRESETS.join(', ')}) or a JSON mapping {"columns":{"name":"Deal Name"},"values":{"stage":{"Won":"closed_won"}}}`),
});
export type ImportQuery = z.output<typeof importQuerySchema>;

const timestampSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/, { error: 'must be a date or date-time' })
  .refine((value) => !Number.isNaN(Date.parse(value.replace(' ', 'T'))), { error: 'must be a real date' });

/** One opportunity row after mapping (values are our vocabulary by now). */
export const opportunityImportRowSchema = z.strictObject({
  externalId: externalIdSchema.optional(),
  name: text(300).optional(),
  accountExternalId: text(200).optional(),
  accountName: text(300).optional(),
  amount: amountSchema.optional(),
  currency: currencySchema.optional(),
  stage: stageSchema.optional(),
  probability: z.string().regex(/^\d{1,3}(\.\d+)?%?$/, { error: 'must be 0–100' }).transform((value) => Math.round(Number.parseFloat(value))).pipe(z.number().max(100)).optional(),
  forecastCategory: forecastCategorySchema.optional(),
  closeDate: isoDateSchema.optional(),
  owner: text(200).optional(),
  product: text(200).optional(),
  createdAt: timestampSchema.optional(),
  closedAt: timestampSchema.optional(),
});
export type OpportunityImportRow = z.output<typeof opportunityImportRowSchema>;

export const accountImportRowSchema = z.strictObject({
  externalId: externalIdSchema.optional(),
  name: text(300),
  domain: z.string().trim().toLowerCase().max(253).optional(),
  industry: text(100).optional(),
  segment: segmentSchema.optional(),
  region: text(100).optional(),
  owner: text(200).optional(),
  createdAt: timestampSchema.optional(),
});
export type AccountImportRow = z.output<typeof accountImportRowSchema>;

export const importRejectionSchema = z.object({ row: z.number().int(), reasons: z.array(z.string()) });
export const importReportSchema = z.object({
  entity: z.enum(IMPORT_ENTITIES),
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  accountsCreated: z.number().int(),
  rejectedCount: z.number().int(),
  rejected: z.array(importRejectionSchema).describe(`Row numbers count data rows from 1 (the header is not a row); at most ${MAX_REPORTED_REJECTIONS} listed`),
});
export type ImportReport = z.output<typeof importReportSchema>;
export type ImportRejection = z.output<typeof importRejectionSchema>;
