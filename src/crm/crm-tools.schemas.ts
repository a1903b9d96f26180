import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/pagination/pagination.js';
import { accountListQuerySchema, type AccountListQuery } from './accounts/accounts.schemas.js';
import { activityListQuerySchema, logActivitySchema } from './activities/activities.schemas.js';
import { opportunityListQuerySchema, updateOpportunitySchema, type OpportunityListQuery } from './opportunities/opportunities.schemas.js';
import { requireSomeField, stageSchema, uuidSchema } from './shared/crm.schemas.js';

/**
 * Input schemas for the CRM's MCP tools (and the RPC route), derived from the REST schemas so
 * the three faces accept the same fields. REST query strings carry text (`limit=20`,
 * `stage=a,b`); tool arguments are JSON, so those two fields take a number and an array here.
 * Each parses to the exact input type of the service method it feeds.
 */
const toolLimit = z.number().int().min(1).max(MAX_PAGE_SIZE).optional().describe(`Page size, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`);

/** `crm_search_accounts` → AccountsService.search(principal, input). */
export const searchAccountsToolInputSchema = accountListQuerySchema.extend({ limit: toolLimit });

/** `crm_list_activities` → ActivitiesService.listForOpportunity(principal, opportunityId, rest). */
export const listActivitiesToolInputSchema = activityListQuerySchema.extend({
  opportunityId: uuidSchema.describe('The opportunity (from crm_search_opportunities)'),
  limit: toolLimit,
});

/** `crm_get_account` → AccountsService.get(principal, input.accountId). */
export const getAccountToolInputSchema = z.strictObject({ accountId: uuidSchema.describe('The account id (from crm_search_accounts)') });

/** `crm_search_opportunities` → OpportunitiesService.search(principal, input). */
export const searchOpportunitiesToolInputSchema = opportunityListQuerySchema.extend({
  stage: z.array(stageSchema).min(1).max(6).optional().describe('One or more stages'),
  limit: toolLimit,
});

/**
 * `crm_update_opportunity` → OpportunitiesService.update(principal, opportunityId, rest): the REST
 * update body plus the path parameter. `version` is the version read (stale → conflict, nothing written).
 */
export const updateOpportunityToolInputSchema = z
  .strictObject({ opportunityId: uuidSchema.describe('The opportunity id (from crm_search_opportunities)'), ...updateOpportunitySchema.shape })
  .superRefine((value, context) => requireSomeField(value, context, ['version', 'opportunityId']));

/** `crm_log_activity` → ActivitiesService.logForOpportunity(principal, opportunityId, rest, { idempotencyKey }): the header as an argument. */
export const logActivityToolInputSchema = z.strictObject({
  opportunityId: uuidSchema.describe('The opportunity the activity belongs to'),
  ...logActivitySchema.shape,
  idempotencyKey: z
    .string()
    .regex(/^[\x21-\x7E]{1,255}$/, { error: 'must be 1–255 visible ASCII characters' })
    .optional()
    .describe('Retrying with the same key returns the first result instead of logging twice'),
});

// Compile-time proof that the tool schemas produce what the services take.
const _accountsFit: (input: z.output<typeof searchAccountsToolInputSchema>) => AccountListQuery = (input) => input;
const _opportunitiesFit: (input: z.output<typeof searchOpportunitiesToolInputSchema>) => OpportunityListQuery = (input) => input;
void _accountsFit;
void _opportunitiesFit;
