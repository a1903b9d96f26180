import { z } from 'zod';

/** The account id, as the REST path (`:id`) and the MCP resource template (`{accountId}`) name it. */
export const accountIdSchema = z.uuid({ error: 'must be a UUID' });
export const insightsParamsSchema = z.strictObject({ id: accountIdSchema });
export const insightsResourceParamsSchema = z.strictObject({ accountId: accountIdSchema.describe('The account id (from crm_search_accounts)') });
export const accountBriefArgsSchema = z.strictObject({ accountId: accountIdSchema.describe('The account id (from crm_search_accounts)') });

const money = z.number();

export const RISK_CODES = ['no_recent_activity', 'slipped_deals', 'overdue_deals', 'shrinking_spend'] as const;

export const riskSchema = z.object({
  code: z.enum(RISK_CODES),
  severity: z.enum(['low', 'medium', 'high']),
  message: z.string(),
  evidence: z.record(z.string(), z.unknown()),
});

export const accountInsightsSchema = z.object({
  asOf: z.string(),
  account: z.object({
    id: z.string(),
    name: z.string(),
    region: z.string().nullable(),
    segment: z.string().nullable(),
    owner: z.string().nullable(),
    industry: z.string().nullable(),
  }),
  revenue: z.object({
    quarters: z.array(z.object({ quarter: z.string(), revenue: money, deals: z.number().int() })),
    last12Months: money,
    previous12Months: money,
    changePct: z.number().nullable(),
    lastWonOn: z.string().nullable(),
  }),
  openPipeline: z.object({
    deals: z.number().int(),
    amount: money,
    nextCloseDate: z.string().nullable(),
    byStage: z.array(z.object({ stage: z.string(), deals: z.number().int(), amount: money })),
  }),
  lastActivity: z
    .object({ occurredAt: z.string(), daysAgo: z.number().int(), type: z.string(), subject: z.string(), opportunityId: z.string().nullable(), last30Days: z.number().int() })
    .nullable(),
  risks: z.array(riskSchema),
  thresholds: z.object({ inactiveDays: z.number().int(), shrinkingSpendPct: z.number() }),
});

export type AccountInsights = z.output<typeof accountInsightsSchema>;
export type Risk = z.output<typeof riskSchema>;
