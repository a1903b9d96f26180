import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { Scope } from '../auth/scope.js';
import { McpCapabilities, McpTool } from '../mcp/mcp.decorators.js';
import { accountPageSchema, accountSchema } from './accounts/accounts.schemas.js';
import { AccountsService } from './accounts/accounts.service.js';
import { activityPageSchema, activitySchema } from './activities/activities.schemas.js';
import { ActivitiesService } from './activities/activities.service.js';
import { opportunityPageSchema, opportunitySchema } from './opportunities/opportunities.schemas.js';
import { OpportunitiesService } from './opportunities/opportunities.service.js';
import {
  getAccountToolInputSchema as getAccountInput,
  listActivitiesToolInputSchema,
  logActivityToolInputSchema as logActivityInput,
  searchAccountsToolInputSchema,
  searchOpportunitiesToolInputSchema,
  updateOpportunityToolInputSchema as updateOpportunityInput,
} from './crm-tools.schemas.js';

const READ = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

/** The CRM's MCP tools (CONTRACT.md): each one call to the service its REST twin uses, under the same scope. */
@McpCapabilities()
@Injectable()
export class CrmTools {
  constructor(
    private readonly accounts: AccountsService,
    private readonly opportunities: OpportunitiesService,
    private readonly activities: ActivitiesService,
  ) {}

  @McpTool({
    name: 'crm_search_accounts',
    title: 'Search accounts',
    description:
      'Lists the tenant’s accounts, newest first, filtered by a name/domain substring (q), region, segment or owner. ' +
      'Paginated: pass nextCursor back as cursor; limit is a number, 1–200 (default 50).',
    scope: Scope.CrmRead,
    input: searchAccountsToolInputSchema,
    output: accountPageSchema,
    annotations: READ,
  })
  searchAccounts(principal: Principal, input: z.output<typeof searchAccountsToolInputSchema>) {
    return this.accounts.search(principal, input);
  }

  @McpTool({
    name: 'crm_get_account',
    title: 'Get an account',
    description: 'One account by id (region, segment, owner, industry, version).',
    scope: Scope.CrmRead,
    input: getAccountInput,
    output: accountSchema,
    annotations: READ,
  })
  getAccount(principal: Principal, input: z.output<typeof getAccountInput>) {
    return this.accounts.get(principal, input.accountId);
  }

  @McpTool({
    name: 'crm_search_opportunities',
    title: 'Search opportunities',
    description:
      'Lists opportunities, newest first, filtered by name substring (q), stage (an array of one or more stages), account, owner, product, ' +
      'the account’s region/segment, or close-date range (YYYY-MM-DD). Paginated like crm_search_accounts.',
    scope: Scope.CrmRead,
    input: searchOpportunitiesToolInputSchema,
    output: opportunityPageSchema,
    annotations: READ,
  })
  searchOpportunities(principal: Principal, input: z.output<typeof searchOpportunitiesToolInputSchema>) {
    return this.opportunities.search(principal, input);
  }

  @McpTool({
    name: 'crm_update_opportunity',
    title: 'Update an opportunity',
    description:
      'Changes fields of an opportunity (stage, amount, close date, probability, owner…). Pass the version you read: ' +
      'if someone changed it since, the result is a conflict error and nothing is written. A stage change is recorded in its history.',
    scope: Scope.CrmWrite,
    input: updateOpportunityInput,
    output: opportunitySchema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  })
  updateOpportunity(principal: Principal, input: z.output<typeof updateOpportunityInput>) {
    const { opportunityId, ...change } = input;
    return this.opportunities.update(principal, opportunityId, change);
  }

  @McpTool({
    name: 'crm_list_activities',
    title: 'List an opportunity’s activities',
    description:
      'The calls, e-mails, meetings and notes logged on one opportunity, newest first (by when they happened). ' +
      'Paginated like crm_search_accounts.',
    scope: Scope.CrmRead,
    input: listActivitiesToolInputSchema,
    output: activityPageSchema,
    annotations: READ,
  })
  listActivities(principal: Principal, input: z.output<typeof listActivitiesToolInputSchema>) {
    const { opportunityId, ...query } = input;
    return this.activities.listForOpportunity(principal, opportunityId, query);
  }

  @McpTool({
    name: 'crm_log_activity',
    title: 'Log an activity',
    description: 'Records a call, e-mail, meeting or note on an opportunity (and its account).',
    scope: Scope.CrmWrite,
    input: logActivityInput,
    output: activitySchema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  })
  logActivity(principal: Principal, input: z.output<typeof logActivityInput>) {
    const { opportunityId, idempotencyKey, ...activity } = input;
    return this.activities.logForOpportunity(principal, opportunityId, activity, { idempotencyKey });
  }
}
