import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accountJoin, dealFilterSql, needsAccount, SqlParams, type DealFilters } from '../shared/sql-params.js';

export interface StageCategoryRow {
  stage: string;
  forecast_category: string;
  deals: number;
  amount: string;
  stage_weighted: string;
  unvalued: number;
  median_age_days: number | null;
}

export interface AgingRow {
  bucket: number;
  deals: number;
  amount: string;
}

export interface SlippingRow {
  id: string;
  name: string;
  owner: string | null;
  stage: string;
  amount: string | null;
  original_close_date: string | null;
  close_date: string | null;
  slips: number;
  days_slipped: number | null;
  total_deals: number;
  total_amount: string;
}

export interface PeriodTotals {
  closed_won: string;
  open_in_period: string;
  open_deals_in_period: number;
  overdue_deals: number;
  overdue_amount: string;
}

/** Upper bounds (days, exclusive) of the aging buckets of open deals; the last is open-ended. */
export const AGING_BOUNDS = [31, 61, 91, 181, 366] as const;
export const AGING_LABELS = ['0–30 days', '31–60 days', '61–90 days', '91–180 days', '181–365 days', '366+ days'];

const OPEN = `o.stage NOT IN ('closed_won','closed_lost')`;

@Injectable()
export class PipelineRepository {
  /** Open deals by stage and forecast category, with the static stage-probability weighting. */
  async byStageAndCategory(manager: EntityManager, tenantId: string, filters: DealFilters, today: string): Promise<StageCategoryRow[]> {
    const p = new SqlParams();
    const tenant = p.add(tenantId);
    const day = p.add(today);
    const sql = `
      SELECT o.stage, o.forecast_category, count(*)::int AS deals, coalesce(sum(o.amount), 0)::text AS amount,
             coalesce(sum(o.amount * o.probability / 100.0), 0)::text AS stage_weighted,
             count(*) FILTER (WHERE o.amount IS NULL)::int AS unvalued,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY ${day}::date - (o.created_at AT TIME ZONE 'UTC')::date) AS median_age_days
        FROM opportunities o${accountJoin(needsAccount(filters))}
       WHERE o.tenant_id = ${tenant} AND ${OPEN}${dealFilterSql(filters, p)}
       GROUP BY o.stage, o.forecast_category`;
    return manager.query(sql, p.values);
  }

  /** Open deals by age (days since created). */
  async aging(manager: EntityManager, tenantId: string, filters: DealFilters, today: string): Promise<AgingRow[]> {
    const p = new SqlParams();
    const tenant = p.add(tenantId);
    const day = p.add(today);
    const sql = `
      SELECT width_bucket(${day}::date - (o.created_at AT TIME ZONE 'UTC')::date, ARRAY[${AGING_BOUNDS.join(',')}]::int[]) AS bucket,
             count(*)::int AS deals, coalesce(sum(o.amount), 0)::text AS amount
        FROM opportunities o${accountJoin(needsAccount(filters))}
       WHERE o.tenant_id = ${tenant} AND ${OPEN}${dealFilterSql(filters, p)}
       GROUP BY 1 ORDER BY 1`;
    return manager.query(sql, p.values);
  }

  /**
   * Open deals whose close date was ever moved later (a history row with close_date >
   * from_close_date): the largest first, with the totals over all of them.
   */
  async slipping(manager: EntityManager, tenantId: string, filters: DealFilters, limit: number): Promise<SlippingRow[]> {
    const p = new SqlParams();
    const tenant = p.add(tenantId);
    const sql = `
      WITH slips AS (
        SELECT h.opportunity_id, count(*)::int AS slips, min(h.from_close_date) AS first_from
          FROM opportunity_stage_history h
         WHERE h.tenant_id = ${tenant} AND h.close_date > h.from_close_date
         GROUP BY h.opportunity_id
      ), firsts AS (
        SELECT DISTINCT ON (h.opportunity_id) h.opportunity_id, h.close_date AS created_close
          FROM opportunity_stage_history h JOIN slips s ON s.opportunity_id = h.opportunity_id
         WHERE h.tenant_id = ${tenant} ORDER BY h.opportunity_id, h.changed_at, h.id
      ), slipped AS (
        SELECT o.id, o.name, o.owner, o.stage, o.amount, coalesce(f.created_close, s.first_from) AS original_close_date,
               o.close_date, s.slips
          FROM slips s JOIN opportunities o ON o.tenant_id = ${tenant} AND o.id = s.opportunity_id
          LEFT JOIN firsts f ON f.opportunity_id = s.opportunity_id${accountJoin(needsAccount(filters))}
         WHERE ${OPEN}${dealFilterSql(filters, p)}
      )
      SELECT id, name, owner, stage, amount::text, original_close_date::text, close_date::text, slips,
             close_date - original_close_date AS days_slipped,
             count(*) OVER ()::int AS total_deals, coalesce(sum(amount) OVER (), 0)::text AS total_amount
        FROM slipped ORDER BY amount DESC NULLS LAST, id LIMIT ${p.add(limit)}`;
    return manager.query(sql, p.values);
  }

  /** Closed-won so far in [start, today), open amount closing in [start, end], and overdue open deals. */
  async periodTotals(manager: EntityManager, tenantId: string, filters: DealFilters, start: string, end: string, today: string): Promise<PeriodTotals> {
    const p = new SqlParams();
    const tenant = p.add(tenantId);
    const [s, e, t] = [p.add(start), p.add(end), p.add(today)];
    const sql = `
      SELECT coalesce(sum(o.amount) FILTER (WHERE o.stage = 'closed_won' AND o.close_date >= ${s}::date AND o.close_date < ${t}::date), 0)::text AS closed_won,
             coalesce(sum(o.amount) FILTER (WHERE ${OPEN} AND o.close_date BETWEEN greatest(${s}::date, ${t}::date) AND ${e}::date), 0)::text AS open_in_period,
             count(*) FILTER (WHERE ${OPEN} AND o.close_date BETWEEN greatest(${s}::date, ${t}::date) AND ${e}::date)::int AS open_deals_in_period,
             count(*) FILTER (WHERE ${OPEN} AND o.close_date < ${t}::date)::int AS overdue_deals,
             coalesce(sum(o.amount) FILTER (WHERE ${OPEN} AND o.close_date < ${t}::date), 0)::text AS overdue_amount
        FROM opportunities o${accountJoin(needsAccount(filters))}
       WHERE o.tenant_id = ${tenant} AND (${OPEN} OR (o.stage = 'closed_won' AND o.close_date >= ${s}::date))${dealFilterSql(filters, p)}`;
    const [row] = await manager.query(sql, p.values);
    return row;
  }
}
