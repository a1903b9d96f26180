import type { DataSource } from 'typeorm';

/** The day the generated history runs up to; forecasts are asked as of it (and before it). */
export const BENCH_TODAY = '2025-11-01';

/**
 * Four years of deals for one tenant, generated in SQL (generate_series), deterministic: created
 * evenly from 2021-11 with a 10–130 day cycle; 28 % won, the rest lost at some stage; one in five
 * slips its close date once; open at BENCH_TODAY when the cycle ends later. Each deal gets the
 * stage history the CRM would have written (creation, each stage change, the slip, the close).
 * Chunks of 100k commit one by one, so an interrupted generation resumes where it stopped.
 */
export async function ensureForecastData(owner: DataSource, tenantId: string, rows: number, log: (line: string) => void): Promise<void> {
  const [{ n }] = await owner.query('SELECT count(*)::int AS n FROM opportunities WHERE tenant_id = $1', [tenantId]);
  if (n === rows) return;
  log(`generating ${rows.toLocaleString('en-US')} opportunities and their stage history for ${tenantId} (once; kept for later runs)…`);
  const started = Date.now();
  await owner.query('SET statement_timeout = 0');
  if (n > 0) await owner.query('DELETE FROM opportunities WHERE tenant_id = $1', [tenantId]);
  await owner.query('DELETE FROM accounts WHERE tenant_id = $1', [tenantId]);
  await owner.query(
    `INSERT INTO accounts (tenant_id, id, external_id, name, region, segment, owner)
     SELECT $1, md5($1 || '-a-' || g)::uuid, 'A-' || g, 'Company ' || g, (ARRAY['North America','EMEA','APAC','LATAM'])[1 + g % 4],
            (ARRAY['enterprise','mid-market','smb'])[1 + (g / 4) % 3], 'owner-' || g % 40
       FROM generate_series(0, 9999) g`,
    [tenantId],
  );
  for (let from = 0; from < rows; from += 100_000) {
    const to = Math.min(rows, from + 100_000) - 1;
    await owner.query(`CREATE TEMP TABLE plan AS ${PLAN_SQL}`, [tenantId, rows, from, to]);
    await owner.query(INSERT_OPPORTUNITIES, [tenantId]);
    await owner.query(INSERT_HISTORY, [tenantId]);
    await owner.query('DROP TABLE plan');
    log('.');
  }
  await owner.query('ANALYZE accounts');
  await owner.query('ANALYZE opportunities');
  await owner.query('ANALYZE opportunity_stage_history');
  log(`  generated in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

const TODAY = `timestamptz '${BENCH_TODAY} 00:00:00+00'`;

// One row per deal: when it starts, how long its cycle is, how it ends and how far it gets.
const PLAN_SQL = `
  SELECT g, md5($1 || '-o-' || g)::uuid AS id, md5($1 || '-a-' || (g * 7) % 10000)::uuid AS account_id,
         timestamptz '2021-11-01 00:00:00+00' + ((g::float8 / $2) * 1460 * 86400 + (g * 7907) % 86400) * interval '1 second' AS created,
         10 + (g * 7919) % 120 AS cycle,
         (g * 104729) % 100 < 28 AS won,
         ((g * 15485863) % 4)::int AS lost_after,
         (g * 31) % 5 = 0 AS slips,
         1000 + ((g * 37) % 500) * 100 AS amount
    FROM generate_series($3::bigint, $4::bigint) g`;

// Reached stages (0 prospecting … 3 negotiation) at fixed fractions of the cycle; then won/lost.
const EVENTS = `
  SELECT p.*, e.ord, p.created + e.frac * p.cycle * interval '1 day' AS at, e.stage, e.kind
    FROM plan p
    CROSS JOIN LATERAL (VALUES (0, 0.0, 'prospecting', 'stage'), (1, 0.2, 'qualification', 'stage'), (2, 0.4, NULL, 'slip'),
                               (3, 0.5, 'proposal', 'stage'), (4, 0.75, 'negotiation', 'stage'), (5, 1.0, NULL, 'close')) AS e(ord, frac, stage, kind)
   WHERE p.created + e.frac * p.cycle * interval '1 day' < ${TODAY}
     AND (e.kind <> 'slip' OR p.slips)
     AND (e.kind <> 'stage' OR p.won OR e.ord <= CASE p.lost_after WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN 3 ELSE 4 END)`;

const STATE = `
  WITH ev AS (${EVENTS}), st AS (
    SELECT ev.*,
           CASE WHEN kind = 'close' THEN CASE WHEN won THEN 'closed_won' ELSE 'closed_lost' END
                ELSE coalesce(stage, (array_agg(stage) FILTER (WHERE stage IS NOT NULL) OVER w)[count(stage) OVER w]) END AS to_stage,
           (created + cycle * interval '1 day')::date - CASE WHEN slips AND ord < 2 THEN 14 ELSE 0 END AS close_date
      FROM ev WINDOW w AS (PARTITION BY g ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
  SELECT st.*, lag(to_stage) OVER (PARTITION BY g ORDER BY ord) AS from_stage, lag(close_date) OVER (PARTITION BY g ORDER BY ord) AS from_close_date,
         row_number() OVER (PARTITION BY g ORDER BY ord DESC) = 1 AS last
    FROM st`;

const PROBABILITY = `CASE to_stage WHEN 'prospecting' THEN 10 WHEN 'qualification' THEN 20 WHEN 'proposal' THEN 50 WHEN 'negotiation' THEN 75 WHEN 'closed_won' THEN 100 ELSE 0 END`;
const CATEGORY = `CASE to_stage WHEN 'proposal' THEN 'best_case' WHEN 'negotiation' THEN 'commit' WHEN 'closed_won' THEN 'closed' WHEN 'closed_lost' THEN 'omitted' ELSE 'pipeline' END`;

const INSERT_OPPORTUNITIES = `
  INSERT INTO opportunities (tenant_id, id, external_id, account_id, name, amount, currency, stage, probability, forecast_category,
                             close_date, owner, product, created_at, updated_at, closed_at)
  SELECT $1, id, 'O-' || g, account_id, 'Deal ' || g, amount, 'USD', to_stage, ${PROBABILITY}, ${CATEGORY}, close_date,
         'owner-' || (g * 13) % 40, 'Product ' || g % 5, created, at, CASE WHEN kind = 'close' THEN at END
    FROM (${STATE}) s WHERE last`;

const INSERT_HISTORY = `
  INSERT INTO opportunity_stage_history (tenant_id, opportunity_id, changed_at, changed_by, source, from_stage, to_stage, from_amount, amount,
                                         from_close_date, close_date, probability, forecast_category)
  SELECT $1, id, at, 'bench', 'seed', from_stage, to_stage, CASE WHEN from_stage IS NOT NULL THEN amount END, amount,
         from_close_date, close_date, ${PROBABILITY}, ${CATEGORY}
    FROM (${STATE}) s`;
