import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accountJoin, dealFilterSql, needsAccount, SqlParams, type DealFilters } from '../shared/sql-params.js';

export type RevenueGroup = 'region' | 'segment' | 'owner' | 'product';

const GROUP_COLUMNS: Record<RevenueGroup, string> = {
  region: 'a.region',
  segment: 'a.segment',
  owner: 'o.owner',
  product: 'o.product',
};

const UNITS = { month: { unit: 'month', step: '1 month', yoyLag: 12 }, quarter: { unit: 'quarter', step: '3 months', yoyLag: 4 }, year: { unit: 'year', step: '1 year', yoyLag: 1 } } as const;

export interface RevenueWindow {
  /** First day of the first reported period. */
  from: string;
  /** Last day of the last reported period. */
  to: string;
  interval: keyof typeof UNITS;
  groupBy?: RevenueGroup;
  filters: DealFilters;
  maxGroups: number;
}

export interface RevenueCell {
  grp: string | null;
  period_start: string;
  revenue: string;
  deals: number;
  previous: string | null;
  year_ago: string | null;
  groups_total: number;
}

@Injectable()
export class RevenueRepository {
  /**
   * Closed-won revenue per group and period, every period present (zero when empty), with the
   * previous period and the same period a year earlier taken by window functions over a series
   * that starts a year before `from` (so the first periods have their comparisons too).
   */
  async cells(manager: EntityManager, tenantId: string, w: RevenueWindow): Promise<RevenueCell[]> {
    const p = new SqlParams();
    const tenant = p.add(tenantId);
    const { unit, step, yoyLag } = UNITS[w.interval];
    const unitParam = p.add(unit);
    const from = p.add(w.from);
    const to = p.add(w.to);
    const lo = `(${from}::date - interval '1 year')::date`;
    const column = w.groupBy ? GROUP_COLUMNS[w.groupBy] : undefined;
    const groupExpr = column ?? 'NULL::text';
    const filters = dealFilterSql(w.filters, p);
    const groups = column
      ? `SELECT grp, count(*) OVER ()::int AS groups_total FROM (SELECT grp, sum(amount) AS total FROM won WHERE period_start >= ${from} GROUP BY grp) t
           ORDER BY total DESC NULLS LAST, grp NULLS LAST LIMIT ${p.add(w.maxGroups)}`
      : `SELECT NULL::text AS grp, 1 AS groups_total`;
    const sql = `
      WITH periods AS (
        SELECT g::date AS period_start FROM generate_series(${lo}, ${to}::date, ${p.add(step)}::interval) AS g
      ), won AS (
        SELECT date_trunc(${unitParam}, o.close_date)::date AS period_start, ${groupExpr} AS grp, o.amount
          FROM opportunities o${accountJoin(needsAccount(w.filters, column))}
         WHERE o.tenant_id = ${tenant} AND o.stage = 'closed_won'
           AND o.close_date BETWEEN ${lo} AND ${to}::date${filters}
      ), sums AS (
        SELECT grp, period_start, coalesce(sum(amount), 0) AS revenue, count(*)::int AS deals FROM won GROUP BY grp, period_start
      ), groups AS (${groups}
      ), cells AS (
        SELECT g.grp, g.groups_total, p.period_start, coalesce(s.revenue, 0) AS revenue, coalesce(s.deals, 0) AS deals
          FROM groups g CROSS JOIN periods p
          LEFT JOIN sums s ON s.period_start = p.period_start AND s.grp IS NOT DISTINCT FROM g.grp
      ), compared AS (
        SELECT grp, groups_total, period_start, revenue, deals,
               lag(revenue) OVER w AS previous, lag(revenue, ${yoyLag}) OVER w AS year_ago
          FROM cells WINDOW w AS (PARTITION BY grp ORDER BY period_start)
      )
      SELECT grp, groups_total, period_start::text, revenue::text, deals, previous::text, year_ago::text
        FROM compared WHERE period_start >= ${from}::date
       ORDER BY grp NULLS LAST, period_start`;
    return manager.query(sql, p.values);
  }
}
