import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accountJoin, dealFilterSql, needsAccount, SqlParams, type DealFilters } from '../shared/sql-params.js';

export const OPEN_STAGES = ['prospecting', 'qualification', 'proposal', 'negotiation'] as const;
export type OpenStage = (typeof OPEN_STAGES)[number];

export type WinRateGroup = 'stage' | 'region' | 'owner' | 'segment';

export interface WinRateRow {
  grp: string | null;
  closed: number;
  won: number;
  won_amount: string;
  closed_amount: string;
  median_days_to_close: number | null;
  median_days_to_win: number | null;
  open: number;
}

const GROUP_COLUMNS: Record<Exclude<WinRateGroup, 'stage'>, string> = {
  region: 'a.region',
  segment: 'a.segment',
  owner: 'o.owner',
};

// A deal's start: its first recorded history row, or its creation when it has none.
const FIRST_SEEN = `LEFT JOIN (SELECT opportunity_id, min(changed_at) AS first_at FROM opportunity_stage_history
                    WHERE tenant_id = $1 GROUP BY opportunity_id) f ON f.opportunity_id = o.id`;
const CLOSED_ON = `coalesce(o.close_date, (o.closed_at AT TIME ZONE 'UTC')::date)`;

@Injectable()
export class WinRatesRepository {
  /**
   * Of the deals that reached each open stage (per the stage history: entered it, or left it),
   * those closed since: how many, how many won, and the median days from first reaching the
   * stage to closing. Open deals currently in the stage are counted apart (not yet an outcome).
   */
  async byStage(manager: EntityManager, tenantId: string, filters: DealFilters): Promise<WinRateRow[]> {
    const p = new SqlParams();
    p.add(tenantId);
    const where = dealFilterSql(filters, p);
    const join = accountJoin(needsAccount(filters));
    const sql = `
      WITH deals AS (
        SELECT o.id, o.stage, o.stage = 'closed_won' AS won, o.amount, ${CLOSED_ON} AS closed_on
          FROM opportunities o${join} WHERE o.tenant_id = $1${where}
      ), reached AS (
        SELECT h.opportunity_id, s.stage, min(h.changed_at) AS reached_at
          FROM opportunity_stage_history h
          CROSS JOIN LATERAL (VALUES (h.to_stage), (h.from_stage)) AS s(stage)
         WHERE h.tenant_id = $1 AND s.stage = ANY(${p.add(OPEN_STAGES)}::text[])
         GROUP BY h.opportunity_id, s.stage
      ), joined AS (
        SELECT r.stage, d.stage AS now_stage, d.won, d.amount,
               greatest(0, d.closed_on - (r.reached_at AT TIME ZONE 'UTC')::date) AS days
          FROM reached r JOIN deals d ON d.id = r.opportunity_id
      )
      SELECT stage AS grp, ${outcomeAggregates('now_stage')},
             count(*) FILTER (WHERE now_stage = stage)::int AS open
        FROM joined GROUP BY stage`;
    return manager.query(sql, p.values);
  }

  /** Closed deals per region, segment or owner, with the median days from first seen to close. */
  async byDimension(
    manager: EntityManager,
    tenantId: string,
    groupBy: Exclude<WinRateGroup, 'stage'> | null,
    filters: DealFilters,
  ): Promise<WinRateRow[]> {
    const p = new SqlParams();
    p.add(tenantId);
    const column = groupBy ? GROUP_COLUMNS[groupBy] : 'NULL::text';
    const where = dealFilterSql(filters, p);
    const sql = `
      WITH joined AS (
        SELECT ${column} AS grp, o.stage AS now_stage, o.stage = 'closed_won' AS won, o.amount,
               CASE WHEN o.stage IN ('closed_won','closed_lost')
                    THEN greatest(0, ${CLOSED_ON} - (least(o.created_at, f.first_at) AT TIME ZONE 'UTC')::date) END AS days
          FROM opportunities o${accountJoin(needsAccount(filters, column))} ${FIRST_SEEN}
         WHERE o.tenant_id = $1${where}
      )
      SELECT grp, ${outcomeAggregates('now_stage')},
             count(*) FILTER (WHERE now_stage NOT IN ('closed_won','closed_lost'))::int AS open
        FROM joined GROUP BY grp`;
    return manager.query(sql, p.values);
  }
}

function outcomeAggregates(stageColumn: string): string {
  const closed = `${stageColumn} IN ('closed_won','closed_lost')`;
  return `count(*) FILTER (WHERE ${closed})::int AS closed,
          count(*) FILTER (WHERE won)::int AS won,
          coalesce(sum(amount) FILTER (WHERE won), 0)::text AS won_amount,
          coalesce(sum(amount) FILTER (WHERE ${closed}), 0)::text AS closed_amount,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE ${closed}) AS median_days_to_close,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE won) AS median_days_to_win`;
}
