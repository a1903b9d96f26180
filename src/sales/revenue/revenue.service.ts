import { Injectable } from '@nestjs/common';
import { TenantReadCache } from '../../database/tenant-changes/tenant-read-cache.js';
import type { Principal } from '../../auth/principal.js';
import { ValidationError } from '../../common/errors/domain-error.js';
import { TenantDb } from '../../database/tenant-db.js';
import type { RevenueQuery } from '../sales.schemas.js';
import { todayUtc } from '../sales.schemas.js';
import { monthIndex, monthStart, periodEnd, periodLabel, periodMonths, periodStartMonth } from '../shared/periods.js';
import { stripUndefined } from '../shared/plain.js';
import { money } from '../shared/sql-params.js';
import { RevenueRepository, type RevenueCell } from './revenue.repository.js';
import type { RevenueResult } from '../sales-results.schemas.js';

/** Periods shown when `from` is not given: a year of months, two years of quarters, five years. */
const DEFAULT_PERIODS = { month: 12, quarter: 8, year: 5 } as const;
const MAX_PERIODS = 240;
const MAX_GROUPS = 50;

export interface RevenuePeriod {
  period: string;
  start: string;
  end: string;
  revenue: number;
  deals: number;
  /** The period has ended (today is after its last day). */
  complete: boolean;
  previous: number;
  change: number;
  /** Relative change; null when the previous period had no revenue. */
  changePct: number | null;
  yearAgo: number;
  yoyChange: number;
  yoyChangePct: number | null;
}

export interface RevenueSeries {
  group: string | null;
  total: number;
  deals: number;
  periods: RevenuePeriod[];
}

@Injectable()
export class RevenueService {
  constructor(
    private readonly db: TenantDb,
    private readonly repository: RevenueRepository,
    private readonly cache: TenantReadCache,
  ) {}

  /** Closed-won revenue per period (by close date), whole calendar periods covering [from, to]. Cached until the tenant's CRM data changes (TenantReadCache). */
  revenue(principal: Principal, query: RevenueQuery): Promise<RevenueResult> {
    return this.cache.get(principal.tenantId, JSON.stringify(['revenue', query, todayUtc()]), () => this.computeRevenue(principal, query));
  }

  private async computeRevenue(principal: Principal, query: RevenueQuery): Promise<RevenueResult> {
    const today = todayUtc();
    const { from, to } = this.window(query, today);
    const filters = { region: query.region, segment: query.segment, owner: query.owner, product: query.product };
    const cells = await this.db.run(principal.tenantId, (manager) =>
      this.repository.cells(manager, principal.tenantId, { from, to, interval: query.interval, groupBy: query.groupBy, filters, maxGroups: MAX_GROUPS }),
    );
    const series = toSeries(cells, query.interval, today);
    const groupsTotal = cells[0]?.groups_total ?? 0;
    return {
      interval: query.interval,
      from,
      to,
      filters: stripUndefined(filters),
      groupBy: query.groupBy ?? null,
      basis: 'closed-won deals by close date; amounts summed as stored (no currency conversion)',
      total: money(series.reduce((sum, s) => sum + s.total, 0)),
      deals: series.reduce((sum, s) => sum + s.deals, 0),
      series,
      ...(query.groupBy ? { groupsShown: series.length, groupsTotal } : {}),
    };
  }

  /** Snaps [from, to] outward to whole periods; defaults to the last few periods up to today. */
  private window(query: RevenueQuery, today: string): { from: string; to: string } {
    const size = periodMonths(query.interval);
    const lastStart = periodStartMonth(monthIndex(query.to ?? today), query.interval);
    const firstStart = query.from
      ? periodStartMonth(monthIndex(query.from), query.interval)
      : lastStart - (DEFAULT_PERIODS[query.interval] - 1) * size;
    if ((lastStart - firstStart) / size + 1 > MAX_PERIODS) {
      throw new ValidationError(`Invalid query: at most ${MAX_PERIODS} periods per request`, [
        { path: 'query.from', message: `the range spans more than ${MAX_PERIODS} ${query.interval}s` },
      ]);
    }
    return { from: monthStart(firstStart), to: periodEnd(lastStart, query.interval) };
  }
}

function toSeries(cells: RevenueCell[], interval: RevenueQuery['interval'], today: string): RevenueSeries[] {
  const byGroup = new Map<string | null, RevenueSeries>();
  for (const cell of cells) {
    let series = byGroup.get(cell.grp);
    if (!series) byGroup.set(cell.grp, (series = { group: cell.grp, total: 0, deals: 0, periods: [] }));
    const period = toPeriod(cell, interval, today);
    series.periods.push(period);
    series.total = money(series.total + period.revenue);
    series.deals += period.deals;
  }
  return [...byGroup.values()].sort((a, b) => b.total - a.total);
}

function toPeriod(cell: RevenueCell, interval: RevenueQuery['interval'], today: string): RevenuePeriod {
  const start = cell.period_start;
  const index = monthIndex(start);
  const revenue = money(cell.revenue);
  const previous = money(cell.previous);
  const yearAgo = money(cell.year_ago);
  const end = periodEnd(index, interval);
  return {
    period: periodLabel(index, interval),
    start,
    end,
    revenue,
    deals: cell.deals,
    complete: end < today,
    previous,
    change: money(revenue - previous),
    changePct: ratio(revenue, previous),
    yearAgo,
    yoyChange: money(revenue - yearAgo),
    yoyChangePct: ratio(revenue, yearAgo),
  };
}

/** (now − before) / before, rounded to 4 decimals; null when there is nothing to compare with. */
function ratio(now: number, before: number): number | null {
  return before > 0 ? Math.round(((now - before) / before) * 10_000) / 10_000 : null;
}
