import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface AccountRow {
  id: string;
  name: string;
  region: string | null;
  segment: string | null;
  owner: string | null;
  industry: string | null;
}

export interface QuarterRow {
  quarter_start: string;
  revenue: string;
  deals: number;
}

export interface SpendRow {
  last12: string;
  previous12: string;
  last_won_on: string | null;
}

export interface OpenStageRow {
  stage: string;
  deals: number;
  amount: string;
  next_close_date: string | null;
}

export interface ActivityRow {
  occurred_at: Date;
  type: string;
  subject: string;
  opportunity_id: string | null;
  last30: number;
}

export interface DealRiskRow {
  id: string;
  name: string;
  stage: string;
  amount: string | null;
  close_date: string | null;
  original_close_date: string | null;
  times_moved: number;
}

/** Every query is led by the tenant and the account id; RLS is the second wall. */
@Injectable()
export class InsightsRepository {
  async account(m: EntityManager, tenantId: string, accountId: string): Promise<AccountRow | undefined> {
    const [row] = await m.query(`SELECT id, name, region, segment, owner, industry FROM accounts WHERE tenant_id = $1 AND id = $2`, [tenantId, accountId]);
    return row;
  }

  /** Closed-won revenue per quarter for the last `quarters` quarters up to today's, empty quarters as 0. */
  async quarterlyRevenue(m: EntityManager, tenantId: string, accountId: string, today: string, quarters: number): Promise<QuarterRow[]> {
    return m.query(
      `WITH sums AS (
         SELECT date_trunc('quarter', close_date)::date AS q, sum(amount) AS revenue, count(*)::int AS deals
           FROM opportunities WHERE tenant_id = $1 AND account_id = $2 AND stage = 'closed_won'
            AND close_date >= date_trunc('quarter', $3::date) - make_interval(months => 3 * ($4 - 1)) AND close_date <= $3::date
          GROUP BY 1)
       SELECT g::date::text AS quarter_start, coalesce(s.revenue, 0)::text AS revenue, coalesce(s.deals, 0) AS deals
         FROM generate_series(date_trunc('quarter', $3::date) - make_interval(months => 3 * ($4 - 1)), date_trunc('quarter', $3::date), interval '3 months') g
         LEFT JOIN sums s ON s.q = g::date ORDER BY g`,
      [tenantId, accountId, today, quarters],
    );
  }

  /** Won revenue in the 12 months before today and the 12 before those. */
  async spend(m: EntityManager, tenantId: string, accountId: string, today: string): Promise<SpendRow> {
    const [row] = await m.query(
      `SELECT coalesce(sum(amount) FILTER (WHERE close_date > $3::date - interval '12 months'), 0)::text AS last12,
              coalesce(sum(amount) FILTER (WHERE close_date <= $3::date - interval '12 months'), 0)::text AS previous12,
              max(close_date)::text AS last_won_on
         FROM opportunities WHERE tenant_id = $1 AND account_id = $2 AND stage = 'closed_won'
          AND close_date > $3::date - interval '24 months' AND close_date <= $3::date`,
      [tenantId, accountId, today],
    );
    return row;
  }

  async openByStage(m: EntityManager, tenantId: string, accountId: string): Promise<OpenStageRow[]> {
    return m.query(
      `SELECT stage, count(*)::int AS deals, coalesce(sum(amount), 0)::text AS amount, min(close_date)::text AS next_close_date
         FROM opportunities WHERE tenant_id = $1 AND account_id = $2 AND stage NOT IN ('closed_won','closed_lost')
        GROUP BY stage`,
      [tenantId, accountId],
    );
  }

  /** The latest activity on the account or any of its deals, with the count of the last 30 days. */
  async lastActivity(m: EntityManager, tenantId: string, accountId: string, today: string): Promise<ActivityRow | undefined> {
    const [row] = await m.query(
      `WITH acts AS (
         SELECT a.occurred_at, a.type, a.subject, a.opportunity_id FROM activities a
          WHERE a.tenant_id = $1 AND a.account_id = $2
         UNION ALL
         SELECT a.occurred_at, a.type, a.subject, a.opportunity_id FROM activities a
           JOIN opportunities o ON o.tenant_id = a.tenant_id AND o.id = a.opportunity_id
          WHERE a.tenant_id = $1 AND o.account_id = $2 AND a.account_id IS DISTINCT FROM $2)
       SELECT occurred_at, type, subject, opportunity_id,
              (SELECT count(*)::int FROM acts WHERE occurred_at > $3::date - interval '30 days') AS last30
         FROM acts ORDER BY occurred_at DESC LIMIT 1`,
      [tenantId, accountId, today],
    );
    return row;
  }

  /** Open deals whose close date moved later at least once, or that are past it. */
  async riskyDeals(m: EntityManager, tenantId: string, accountId: string, today: string): Promise<(DealRiskRow & { overdue: boolean })[]> {
    return m.query(
      `WITH slips AS (
         SELECT h.opportunity_id, count(*)::int AS times_moved FROM opportunity_stage_history h
           JOIN opportunities o ON o.tenant_id = h.tenant_id AND o.id = h.opportunity_id
          WHERE h.tenant_id = $1 AND o.account_id = $2 AND h.close_date > h.from_close_date
          GROUP BY h.opportunity_id)
       SELECT o.id, o.name, o.stage, o.amount::text, o.close_date::text,
              (SELECT h.close_date::text FROM opportunity_stage_history h WHERE h.tenant_id = $1 AND h.opportunity_id = o.id
                ORDER BY h.changed_at, h.id LIMIT 1) AS original_close_date,
              coalesce(s.times_moved, 0) AS times_moved, coalesce(o.close_date < $3::date, false) AS overdue
         FROM opportunities o LEFT JOIN slips s ON s.opportunity_id = o.id
        WHERE o.tenant_id = $1 AND o.account_id = $2 AND o.stage NOT IN ('closed_won','closed_lost')
          AND (s.times_moved > 0 OR o.close_date < $3::date)
        ORDER BY o.amount DESC NULLS LAST, o.id LIMIT 20`,
      [tenantId, accountId, today],
    );
  }
}
