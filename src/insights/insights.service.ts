import { Injectable } from '@nestjs/common';
import { TenantReadCache } from '../database/tenant-changes/tenant-read-cache.js';
import type { Principal } from '../auth/principal.js';
import { TenantDb } from '../database/tenant-db.js';
import { accountRisks, INACTIVE_DAYS, SHRINKING_SPEND } from './account-risks.js';
import { InsightsError } from './insights.errors.js';
import { InsightsRepository } from './insights.repository.js';
import type { AccountInsights } from './insights.schemas.js';

const QUARTERS = 8;

@Injectable()
export class InsightsService {
  constructor(
    private readonly db: TenantDb,
    private readonly repository: InsightsRepository,
    private readonly cache: TenantReadCache,
  ) {}

  /** One account's revenue trend, open pipeline, last activity and risk flags with their evidence. Cached until the tenant's CRM data changes (TenantReadCache). */
  accountInsights(principal: Principal, accountId: string): Promise<AccountInsights> {
    return this.cache.get(principal.tenantId, JSON.stringify(['account-insights', accountId, new Date().toISOString().slice(0, 10)]), () => this.computeAccountInsights(principal, accountId));
  }

  private async computeAccountInsights(principal: Principal, accountId: string): Promise<AccountInsights> {
    const today = new Date().toISOString().slice(0, 10);
    const t = principal.tenantId;
    const data = await this.db.run(t, async (m) => {
      const account = await this.repository.account(m, t, accountId);
      if (!account) throw InsightsError.accountNotFound();
      return {
        account,
        quarters: await this.repository.quarterlyRevenue(m, t, accountId, today, QUARTERS),
        spend: await this.repository.spend(m, t, accountId, today),
        open: await this.repository.openByStage(m, t, accountId),
        activity: await this.repository.lastActivity(m, t, accountId, today),
        risky: await this.repository.riskyDeals(m, t, accountId, today),
      };
    });
    const openDeals = data.open.reduce((s, r) => s + r.deals, 0);
    const openAmount = money(data.open.reduce((s, r) => s + Number(r.amount), 0));
    const last12 = money(data.spend.last12);
    const previous12 = money(data.spend.previous12);
    const lastActivity = data.activity
      ? {
          occurredAt: data.activity.occurred_at.toISOString(),
          daysAgo: daysBetween(data.activity.occurred_at.toISOString().slice(0, 10), today),
          type: data.activity.type,
          subject: data.activity.subject,
          opportunityId: data.activity.opportunity_id,
          last30Days: data.activity.last30,
        }
      : null;
    const deal = (r: (typeof data.risky)[number]) => ({ id: r.id, name: r.name, amount: r.amount === null ? null : money(r.amount), closeDate: r.close_date });
    return {
      asOf: today,
      account: data.account,
      revenue: {
        quarters: data.quarters.map((q) => ({ quarter: quarterLabel(q.quarter_start), revenue: money(q.revenue), deals: q.deals })),
        last12Months: last12,
        previous12Months: previous12,
        changePct: previous12 > 0 ? Math.round(((last12 - previous12) / previous12) * 10_000) / 10_000 : null,
        lastWonOn: data.spend.last_won_on,
      },
      openPipeline: {
        deals: openDeals,
        amount: openAmount,
        nextCloseDate: data.open.map((r) => r.next_close_date).filter((d): d is string => d !== null).sort()[0] ?? null,
        byStage: data.open.map((r) => ({ stage: r.stage, deals: r.deals, amount: money(r.amount) })),
      },
      lastActivity,
      risks: accountRisks({
        openDeals,
        openAmount,
        last12,
        previous12,
        lastActivity,
        slipped: data.risky.filter((r) => r.times_moved > 0).map((r) => ({ ...deal(r), originalCloseDate: r.original_close_date, timesMoved: r.times_moved })),
        overdue: data.risky.filter((r) => r.overdue).map(deal),
      }),
      thresholds: { inactiveDays: INACTIVE_DAYS, shrinkingSpendPct: SHRINKING_SPEND },
    };
  }
}

/** pg returns numeric as strings; money is reported rounded to cents. */
function money(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : 0;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** 2025-04-01 → 2025-Q2. */
function quarterLabel(quarterStart: string): string {
  return `${quarterStart.slice(0, 4)}-Q${Math.floor((Number(quarterStart.slice(5, 7)) - 1) / 3) + 1}`;
}
