import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OPEN_STAGES } from '../win-rates/win-rates.repository.js';
import { accountJoin, dealFilterSql, needsAccount, SqlParams, type DealFilters } from '../shared/sql-params.js';
import { AGE_BUCKET_BOUNDS } from './pipeline-model.js';

/** A half-open range of deal ids [from, to); `to` null = to the end. */
export interface IdRange {
  from: string;
  to: string | null;
}
export const FULL_RANGE: IdRange = { from: '00000000-0000-0000-0000-000000000000', to: null };

/** `parts` equal slices of the uuid space (ids are random, so the deals split about evenly). */
export function idRanges(parts: number): IdRange[] {
  const bound = (i: number) => `${Math.floor((i * 0x100000000) / parts).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`;
  return Array.from({ length: parts }, (_, i) => ({ from: bound(i), to: i + 1 < parts ? bound(i + 1) : null }));
}

/** Same-day snapshots only teach the live forecast's first month; the last two years suffice. */
const LEARNING_MONTHS_FOR_DAYS = 24;
/** The snapshot query gives up before the app's statement timeout (30 s), so the forecast can go on without it. */
export const DEFAULT_SNAPSHOT_TIMEOUT_MS = 25_000;

/** The first day of the month `offset` months from the one containing `isoDate`. */
function monthStartOf(isoDate: string, offset: number): string {
  const index = Number(isoDate.slice(0, 4)) * 12 + Number(isoDate.slice(5, 7)) - 1 + offset;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** Months of closed-won history the time series may use. */
export const MAX_HISTORY_MONTHS = 120;

export interface MonthRow {
  month: string;
  revenue: string;
  deals: number;
}

/** Which snapshots a row belongs to: first of a month, the same day of the month as asOf, or asOf itself. */
export const SNAPSHOT_KIND = { monthStart: 0, sameDay: 1, asOf: 2 } as const;

export interface SnapshotRow {
  ref_month: number;
  kind: number;
  stage: string;
  bucket: number;
  won_offset: number | null;
  deals: number;
  amount: string;
  amount_sq: string;
  won_amount: string;
  unvalued: number;
}

export interface DriverRow {
  id: string;
  name: string;
  account_id: string | null;
  account_name: string | null;
  owner: string | null;
  stage: string;
  amount: string | null;
  close_date: string | null;
  age_days: number;
  bucket: number;
}

// Month index of a date (year × 12 + month − 1), as periods.ts computes it.
const MONTH_INDEX = (d: string) => `(extract(year FROM ${d})::int * 12 + extract(month FROM ${d})::int - 1)`;
const BUCKET = (days: string) => `width_bucket(${days}, ARRAY[${AGE_BUCKET_BOUNDS.join(',')}]::int[])`;

@Injectable()
export class ForecastRepository {
  /**
   * Closed-won revenue per month (by close date) from the first month with a sale to the month
   * containing asOf, empty months as 0; only deals closed before asOf (the last month is partial).
   */
  async monthlyRevenue(manager: EntityManager, tenantId: string, filters: DealFilters, asOf: string): Promise<MonthRow[]> {
    const p = new SqlParams();
    const tenant = p.add(tenantId);
    const asOfParam = p.add(asOf);
    const where = dealFilterSql(filters, p);
    const sql = `
      WITH won AS (
        SELECT date_trunc('month', o.close_date)::date AS month, o.amount
          FROM opportunities o${accountJoin(needsAccount(filters))}
         WHERE o.tenant_id = ${tenant} AND o.stage = 'closed_won' AND o.close_date < ${asOfParam}::date
           AND o.close_date >= date_trunc('month', ${asOfParam}::date) - interval '${MAX_HISTORY_MONTHS} months'${where}
      ), sums AS (
        SELECT month, sum(amount) AS revenue, count(*)::int AS deals FROM won GROUP BY month
      )
      SELECT g::date::text AS month, coalesce(s.revenue, 0)::text AS revenue, coalesce(s.deals, 0) AS deals
        FROM generate_series((SELECT min(month) FROM sums), date_trunc('month', ${asOfParam}::date), interval '1 month') AS g
        LEFT JOIN sums s ON s.month = g::date
       ORDER BY g`;
    return manager.query(sql, p.values);
  }

  /** The tenant's highest stage-history row id: grows with every change (the history is append-only). */
  async historyVersion(manager: EntityManager, tenantId: string): Promise<string> {
    const [row] = await manager.query(`SELECT coalesce(max(id), 0)::text AS version FROM opportunity_stage_history WHERE tenant_id = $1`, [tenantId]);
    return row.version;
  }

  /**
   * The open pipeline as the stage history stood on the first of every month from `firstRef` to
   * asOf, and at asOf itself, aggregated by stage, deal-age bucket and the month (relative to
   * the snapshot) in which the deal was won — as far as that was known at asOf. Only history
   * rows changed before asOf are read, so nothing later can leak into an asOf forecast.
   */
  async snapshots(
    manager: EntityManager,
    tenantId: string,
    filters: DealFilters,
    asOf: string,
    firstRef: string,
    ids: IdRange = FULL_RANGE,
    timeoutMs = DEFAULT_SNAPSHOT_TIMEOUT_MS,
  ): Promise<SnapshotRow[]> {
    const p = new SqlParams();
    const tenant = p.add(tenantId);
    const asOfTs = `${p.add(asOf)}::timestamp`;
    const first = `${p.add(firstRef)}::timestamp`;
    const open = `${p.add(OPEN_STAGES)}::text[]`;
    // Mid-month, the live pipeline is compared with snapshots taken on the same day of earlier
    // months (what was left of a month then), not on their first days. Days 29–31 use the 28th.
    const shift = `${p.add(`${Math.min(28, Number(asOf.slice(8, 10))) - 1} days`)}::interval`;
    const firstDay = `${p.add(monthStartOf(asOf, -LEARNING_MONTHS_FOR_DAYS))}::timestamp`;
    // A slice of the deals by id: slices are independent, so they can be computed side by side.
    const range = ` AND h.opportunity_id >= ${p.add(ids.from)}::uuid${ids.to ? ` AND h.opportunity_id < ${p.add(ids.to)}::uuid` : ''}`;
    const filtered = needsAccount(filters);
    // Filters (on the deal's account) prune the history before the window functions run.
    const scope = filtered
      ? ` JOIN opportunities o ON o.tenant_id = h.tenant_id AND o.id = h.opportunity_id${accountJoin(true)} WHERE h.tenant_id = ${tenant}${range}${dealFilterSql(filters, p)}`
      : ` WHERE h.tenant_id = ${tenant}${range}`;
    // The aggregation's hash tables stay in memory (a few MB) instead of spilling to disk.
    await manager.query(`SET LOCAL work_mem = '64MB'`);
    await manager.query(`SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
    // One ordered pass over the history (an index-only scan of stage_history_replay): each row's
    // span until the next change, the deal's first row and its final state as known at asOf.
    const sql = `
      WITH h AS (
        SELECT h.opportunity_id, h.to_stage, h.amount, h.changed_at AT TIME ZONE 'UTC' AS at,
               lead(h.changed_at AT TIME ZONE 'UTC') OVER w AS next_at,
               first_value(h.changed_at AT TIME ZONE 'UTC') OVER w AS first_at,
               last_value(h.to_stage) OVER whole AS final_stage,
               last_value(coalesce(h.close_date, (h.changed_at AT TIME ZONE 'UTC')::date)) OVER whole AS final_close,
               last_value(h.amount) OVER whole AS final_amount
          FROM opportunity_stage_history h${scope} AND h.changed_at < ${asOfTs} AT TIME ZONE 'UTC'
        WINDOW w AS (PARTITION BY h.opportunity_id ORDER BY h.changed_at, h.id),
               whole AS (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
      ), snap AS (
        SELECT s.to_stage, s.amount, r.ref_month, r.kind, extract(day FROM r.ref - s.first_at)::int AS age,
               CASE WHEN s.final_stage = 'closed_won' THEN ${MONTH_INDEX('s.final_close')} END AS won_month,
               CASE WHEN s.final_stage = 'closed_won' THEN s.final_amount END AS won_amount
          FROM h s
         CROSS JOIN LATERAL (
           SELECT g AS ref, ${MONTH_INDEX('g')} AS ref_month, 0 AS kind
             FROM generate_series(greatest(date_trunc('month', s.at) + interval '1 month', ${first}),
                                  least(coalesce(s.next_at, ${asOfTs}), ${asOfTs} - interval '1 second'), interval '1 month') AS g
           UNION ALL
           SELECT g + ${shift}, ${MONTH_INDEX('g')}, 1
             FROM generate_series(greatest(date_trunc('month', s.at - ${shift}) + interval '1 month', ${firstDay}),
                                  least(coalesce(s.next_at, ${asOfTs}), ${asOfTs} - interval '1 second') - ${shift}, interval '1 month') AS g
            WHERE ${shift} > interval '0'
           UNION ALL
           SELECT ${asOfTs}, ${MONTH_INDEX(asOfTs)}, 2 WHERE s.next_at IS NULL
         ) r
         WHERE s.to_stage = ANY(${open}) AND (s.next_at IS NULL OR s.next_at >= ${first})
           -- Spans that contain no snapshot day (most last days or weeks) need no series at all.
           AND (s.next_at IS NULL OR date_trunc('month', s.at) + interval '1 month' <= s.next_at
                OR (${shift} > interval '0' AND date_trunc('month', s.at - ${shift}) + interval '1 month' + ${shift} <= s.next_at))
      )
      SELECT ref_month, kind, to_stage AS stage, ${BUCKET('age')} AS bucket,
             -- greatest() skips NULLs: a deal not won must stay NULL, not become 0.
             CASE WHEN won_month IS NOT NULL THEN greatest(0, won_month - ref_month) END AS won_offset,
             count(*)::int AS deals, coalesce(sum(amount), 0)::text AS amount,
             coalesce(sum(amount * amount), 0)::text AS amount_sq,
             coalesce(sum(won_amount), 0)::text AS won_amount,
             count(*) FILTER (WHERE amount IS NULL)::int AS unvalued
        FROM snap
       GROUP BY 1, 2, 3, 4, 5`;
    return manager.query(sql, p.values);
  }

  /**
   * The open deals at asOf (latest history row before it) that carry the most expected revenue:
   * amount × P(won by the horizon's end), with P given per stage and age bucket.
   */
  async drivers(
    manager: EntityManager,
    tenantId: string,
    filters: DealFilters,
    asOf: string,
    probabilities: { stage: string; bucket: number; p: number }[],
    limit: number,
  ): Promise<DriverRow[]> {
    const p = new SqlParams();
    const tenant = p.add(tenantId);
    const asOfTs = `${p.add(asOf)}::timestamp`;
    const stages = p.add(probabilities.map((x) => x.stage));
    const buckets = p.add(probabilities.map((x) => x.bucket));
    const probs = p.add(probabilities.map((x) => x.p));
    const where = dealFilterSql(filters, p);
    // Candidates: deals not closed before asOf (a superset of those open then); the history decides.
    const sql = `
      WITH state AS (
        SELECT o.id, o.name, o.account_id, o.owner, o.created_at, l.to_stage, l.amount, l.close_date, l.first_at
          FROM opportunities o${accountJoin(needsAccount(filters))}
          CROSS JOIN LATERAL (
            SELECT h.to_stage, h.amount, h.close_date,
                   (SELECT min(f.changed_at) FROM opportunity_stage_history f WHERE f.tenant_id = o.tenant_id AND f.opportunity_id = o.id) AS first_at
              FROM opportunity_stage_history h
             WHERE h.tenant_id = o.tenant_id AND h.opportunity_id = o.id AND h.changed_at < ${asOfTs} AT TIME ZONE 'UTC'
             ORDER BY h.changed_at DESC, h.id DESC LIMIT 1) l
         WHERE o.tenant_id = ${tenant} AND (o.closed_at IS NULL OR o.closed_at >= ${asOfTs} AT TIME ZONE 'UTC')${where}
      ), scored AS (
        SELECT s.*, extract(day FROM ${asOfTs} - least(s.first_at, s.created_at) AT TIME ZONE 'UTC')::int AS age_days
          FROM state s WHERE s.to_stage = ANY(${p.add(OPEN_STAGES)}::text[])
      )
      SELECT s.id, s.name, s.account_id, a2.name AS account_name, s.owner, s.to_stage AS stage, s.amount::text,
             s.close_date::text, s.age_days, ${BUCKET('s.age_days')} AS bucket
        FROM scored s
        JOIN unnest(${stages}::text[], ${buckets}::int[], ${probs}::float8[]) AS pr(stage, bucket, p)
          ON pr.stage = s.to_stage AND pr.bucket = ${BUCKET('s.age_days')}
        LEFT JOIN accounts a2 ON a2.tenant_id = ${tenant} AND a2.id = s.account_id
       ORDER BY coalesce(s.amount, 0) * pr.p DESC, s.id LIMIT ${p.add(limit)}`;
    return manager.query(sql, p.values);
  }
}
