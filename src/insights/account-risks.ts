/** Risk flags of an account, each with the evidence a person can check. Pure rules on aggregated facts. */
import type { Risk } from './insights.schemas.js';

export const INACTIVE_DAYS = 30;
/** Spend shrinking by more than this share (last 12 months vs the 12 before) is flagged. */
export const SHRINKING_SPEND = 0.2;

export interface RiskFacts {
  openDeals: number;
  openAmount: number;
  last12: number;
  previous12: number;
  lastActivity: { occurredAt: string; daysAgo: number } | null;
  slipped: { id: string; name: string; amount: number | null; originalCloseDate: string | null; closeDate: string | null; timesMoved: number }[];
  overdue: { id: string; name: string; amount: number | null; closeDate: string | null }[];
}

export function accountRisks(f: RiskFacts): Risk[] {
  const risks: Risk[] = [];
  const engaged = f.openDeals > 0 || f.last12 > 0;
  if (engaged && (!f.lastActivity || f.lastActivity.daysAgo > INACTIVE_DAYS)) {
    risks.push({
      code: 'no_recent_activity',
      severity: f.openDeals > 0 ? 'high' : 'medium',
      message: f.lastActivity
        ? `No activity in ${f.lastActivity.daysAgo} days (threshold ${INACTIVE_DAYS}) while the account has ${f.openDeals} open deal(s)`
        : `No activity was ever logged while the account has ${f.openDeals} open deal(s)`,
      evidence: { lastActivityAt: f.lastActivity?.occurredAt ?? null, daysSince: f.lastActivity?.daysAgo ?? null, thresholdDays: INACTIVE_DAYS, openDeals: f.openDeals, openAmount: f.openAmount },
    });
  }
  if (f.slipped.length > 0) {
    risks.push({
      code: 'slipped_deals',
      severity: f.slipped.some((d) => d.timesMoved > 1) ? 'high' : 'medium',
      message: `${f.slipped.length} open deal(s) had their close date moved later`,
      evidence: { deals: f.slipped },
    });
  }
  if (f.overdue.length > 0) {
    risks.push({ code: 'overdue_deals', severity: 'medium', message: `${f.overdue.length} open deal(s) are past their close date`, evidence: { deals: f.overdue } });
  }
  if (f.previous12 > 0 && f.last12 < f.previous12 * (1 - SHRINKING_SPEND)) {
    const change = (f.last12 - f.previous12) / f.previous12;
    risks.push({
      code: 'shrinking_spend',
      severity: change < -0.5 ? 'high' : 'medium',
      message: `Won revenue fell ${Math.round(-change * 100)}% (last 12 months vs the 12 before)`,
      evidence: { last12Months: f.last12, previous12Months: f.previous12, changePct: Math.round(change * 10_000) / 10_000, thresholdPct: -SHRINKING_SPEND },
    });
  }
  return risks;
}
