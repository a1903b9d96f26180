import { Injectable } from '@nestjs/common';
import type { GetPromptResult } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { Scope } from '../auth/scope.js';
import { McpCapabilities, McpPrompt, McpResource } from '../mcp/mcp.decorators.js';
import { InsightsService } from './insights.service.js';
import { accountBriefArgsSchema, insightsResourceParamsSchema } from './insights.schemas.js';

/** Account insights for agents: the customer-insights resource and the account brief prompt. */
@McpCapabilities()
@Injectable()
export class InsightsTools {
  constructor(private readonly insights: InsightsService) {}

  @McpResource({
    name: 'account-insights',
    title: 'Account insights',
    description:
      'One account’s revenue trend (8 quarters, last 12 months vs the 12 before), open pipeline, last activity and risk flags ' +
      '(no recent activity, slipped or overdue deals, shrinking spend), each with its evidence.',
    scope: Scope.CustomerInsightsRead,
    uri: 'insights://accounts/{accountId}',
    mimeType: 'application/json',
    params: insightsResourceParamsSchema,
    rpcMethod: 'insights/get_account',
  })
  account(principal: Principal, params: z.output<typeof insightsResourceParamsSchema>) {
    return this.insights.accountInsights(principal, params.accountId);
  }

  @McpPrompt({
    name: 'account_brief',
    title: 'Account brief',
    description: 'A pre-meeting brief on one account, from its insights (revenue trend, pipeline, activity, risks).',
    scope: Scope.CustomerInsightsRead,
    args: accountBriefArgsSchema,
  })
  async accountBrief(principal: Principal, args: z.output<typeof accountBriefArgsSchema>): Promise<GetPromptResult> {
    const insights = await this.insights.accountInsights(principal, args.accountId);
    const uri = `insights://accounts/${args.accountId}`;
    return {
      description: `Brief on ${insights.account.name}`,
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri, mimeType: 'application/json', text: JSON.stringify(insights) } } },
        { role: 'user', content: { type: 'text', text: BRIEF_INSTRUCTIONS } },
      ],
    };
  }
}

const BRIEF_INSTRUCTIONS = [
  'Write a brief (under 150 words) for the account owner before their next call with this account, from the insights above:',
  '1. Spend: the trend over the quarters and the last 12 months against the 12 before.',
  '2. Open pipeline: what is open, in which stages, and what closes next.',
  '3. Each risk flag with its evidence, and one concrete next step per risk.',
  'Use only the numbers in the insights; say so when something is unknown.',
].join('\n');
