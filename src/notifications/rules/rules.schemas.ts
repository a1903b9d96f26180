import { z } from 'zod';
import { destinationRef } from '../notifications.schemas.js';

/** CRM occurrences a tenant can route to a destination. */
export const RULE_EVENTS = ['opportunity.closed_won', 'opportunity.closed_lost', 'opportunity.close_date_slipped'] as const;
export type RuleEvent = (typeof RULE_EVENTS)[number];

export const createRuleSchema = z.strictObject({
  event: z.enum(RULE_EVENTS),
  destination: destinationRef,
  enabled: z.boolean().default(true),
});
export type CreateRuleInput = z.output<typeof createRuleSchema>;

export const ruleIdParams = z.strictObject({ id: z.uuid({ error: 'must be a UUID' }) });

export const ruleViewSchema = z.object({
  id: z.uuid(),
  event: z.enum(RULE_EVENTS),
  destination: z.object({ id: z.uuid(), name: z.string() }),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export type RuleView = z.output<typeof ruleViewSchema>;
