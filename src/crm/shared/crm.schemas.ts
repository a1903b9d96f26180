import { z } from 'zod';

export const STAGES = ['prospecting', 'qualification', 'proposal', 'negotiation', 'closed_won', 'closed_lost'] as const;
export const OPEN_STAGES = ['prospecting', 'qualification', 'proposal', 'negotiation'] as const;
export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export const SEGMENTS = ['enterprise', 'mid-market', 'smb'] as const;
export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note'] as const;
/** The demo data's regions; `region` itself is free text (imports carry their own names). */
export const REGIONS = ['North America', 'EMEA', 'APAC', 'LATAM'] as const;

export type Stage = (typeof STAGES)[number];
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];
export type Segment = (typeof SEGMENTS)[number];
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const stageSchema = z.enum(STAGES);
export const segmentSchema = z.enum(SEGMENTS);
export const forecastCategorySchema = z.enum(FORECAST_CATEGORIES);

export const uuidSchema = z.uuid({ error: 'must be a UUID' });
export const idParamsSchema = z.strictObject({ id: uuidSchema });

/** A short free-text field: trimmed, non-empty, bounded. */
export const text = (max: number) => z.string().trim().min(1).max(max);
export const externalIdSchema = text(200).describe('Identifier in the source CRM (unique per tenant; upserts match on it)');

export const isoDateSchema = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

/** Money: a non-negative number with at most 2 decimals and 12 integer digits (numeric(14,2)). */
export const amountSchema = z
  .union([z.number(), z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, { error: 'must be a decimal amount' }).transform(Number)])
  .pipe(
    z
      .number()
      .nonnegative()
      .max(999_999_999_999.99)
      .refine((value) => Math.abs(Math.round(value * 100) - value * 100) < 1e-6, { error: 'must have at most 2 decimals' }),
  );

export const currencySchema = z
  .string()
  .regex(/^[A-Za-z]{3}$/, { error: 'must be an ISO 4217 code' })
  .transform((value) => value.toUpperCase());

/** A query-string filter holding one value (a repeated parameter arrives as an array: 400). */
export const queryText = (max: number) => z.string().trim().min(1).max(max);

/** The version a client read, in an update body (or send If-Match instead). */
export const versionSchema = z.number().int().positive().optional().describe('The version you read; stale → 409 (or send If-Match)');

/** Common output timestamps (ISO 8601 strings). */
export const timestamps = {
  createdAt: z.string(),
  updatedAt: z.string(),
};

/** Rejects an update that changes nothing. */
export function requireSomeField<T extends Record<string, unknown>>(value: T, context: z.RefinementCtx, ignore: string[] = ['version']): void {
  if (!Object.keys(value).some((key) => !ignore.includes(key))) {
    context.addIssue({ code: 'custom', message: 'must name at least one field to change', path: [] });
  }
}
