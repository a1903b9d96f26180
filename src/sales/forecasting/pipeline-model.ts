/**
 * The pipeline method, learned from the tenant's own stage history. From monthly snapshots of
 * the open pipeline (rebuilt from the history as it stood on the first of each month) we learn,
 * per stage and age bucket, the share of open deals' value won in each month that follows (the
 * incidence P_j). A forecast from a snapshot is then Σ amount × P_j over its open deals, plus
 * the revenue that usually comes from deals not yet created (new business), learned the same way.
 * Everything here is arithmetic on a few hundred aggregated cells; the rows stay in Postgres.
 */
import { normalIntervals, Z95, type IntervalForecast } from '../forecast/forecast-types.js';

/** Upper bounds (days, exclusive) of the deal-age buckets; the last bucket is open-ended. */
export const AGE_BUCKET_BOUNDS = [30, 90, 180, 365] as const;
export const AGE_BUCKET_LABELS = ['0–29 days', '30–89 days', '90–179 days', '180–364 days', '365+ days'];

/** Months of snapshots before an origin that the incidence is learned from. */
export const LEARNING_MONTHS = 36;
/** Snapshots (with open deals) needed before an origin for the method to be usable there. */
export const MIN_LEARNING_SNAPSHOTS = 6;
/** Pseudo-deals of the parent estimate mixed into each cell (stage → stage × age). */
const PRIOR_WEIGHT = 20;
/** Recent snapshots whose new-business revenue is averaged. */
const NEW_BUSINESS_REFS = 12;

/** One aggregated row of the snapshot query. */
export interface SnapshotCell {
  /** Month index of the snapshot (for the asOf snapshot: the month containing asOf). */
  refMonth: number;
  /** 0: taken on the first of the month; 1: on the same day of the month as asOf; 2: at asOf (the live pipeline). */
  kind: number;
  stage: string;
  bucket: number;
  /** Months from the snapshot's month to the month the deal was won, as known at asOf; null = not won. */
  wonOffset: number | null;
  deals: number;
  /** Σ amount of these deals at the snapshot (deals without an amount count as 0). */
  amount: number;
  amountSq: number;
  /** Σ amount at which they were won. */
  wonAmount: number;
}

export interface Incidence {
  /**
   * P_j(stage, bucket): the share of such open deals' value that was won in month j after the
   * snapshot (j = 0 = the same month). Value-weighted, so it multiplies amounts without bias
   * when large deals convert differently from small ones (they usually do).
   */
  p(stage: string, bucket: number, j: number): number;
  /** Snapshots (first-of-month, with open deals) the estimate rests on. */
  snapshots: number;
}

export interface PipelineComponents {
  /** Expected revenue from deals open at the origin, per month ahead. */
  expected: number[];
  expectedVar: number[];
  /** Expected revenue from deals created after the origin (the run rate of new business). */
  newBusiness: number[];
  newBusinessVar: number[];
  /** Share of a month's revenue that came from deals not yet open at the snapshot. */
  newShare: number[];
  snapshots: number;
  openDeals: number;
  openAmount: number;
  incidence: Incidence;
}

const key = (stage: string, bucket: number) => `${stage}|${bucket}`;

interface Counts {
  /** Σ snapshot amount of the deals, per month ahead (only snapshots whose month j had passed). */
  n: number[];
  /** Σ snapshot amount of those won in month j. */
  won: number[];
}

function counter(h: number): Counts {
  return { n: new Array<number>(h).fill(0), won: new Array<number>(h).fill(0) };
}

/**
 * Learns P_j from the snapshots of `kind` before `origin` whose month j had fully passed by then:
 * first-of-month snapshots for forecasts from a first of a month, same-day ones mid-month (j = 0
 * is then the rest of the month, as it is for the live pipeline).
 */
export function learnIncidence(cells: readonly SnapshotCell[], origin: number, h: number, kind = 0): Incidence {
  const total = counter(h);
  const byStage = new Map<string, Counts>();
  const byCell = new Map<string, Counts>();
  const refs = new Set<number>();
  let deals = 0;
  let value = 0;
  for (const cell of cells) {
    if (cell.kind !== kind || cell.refMonth >= origin || cell.refMonth < origin - LEARNING_MONTHS) continue;
    refs.add(cell.refMonth);
    deals += cell.deals;
    value += cell.amount;
    const stage = getOr(byStage, cell.stage, h);
    const exact = getOr(byCell, key(cell.stage, cell.bucket), h);
    for (let j = 0; j < h && cell.refMonth + j <= origin - 1; j++) {
      const won = cell.wonOffset === j ? cell.amount : 0;
      for (const c of [total, stage, exact]) {
        c.n[j] += cell.amount;
        c.won[j] += won;
      }
    }
  }
  // The prior weighs as much as PRIOR_WEIGHT average deals.
  const prior = PRIOR_WEIGHT * (deals > 0 ? value / deals : 0);
  const shrink = (c: Counts | undefined, j: number, parent: number) =>
    prior + (c?.n[j] ?? 0) > 0 ? ((c?.won[j] ?? 0) + prior * parent) / ((c?.n[j] ?? 0) + prior) : parent;
  return {
    snapshots: refs.size,
    p(stage, bucket, j) {
      if (j >= h || total.n[j] === 0) return 0;
      const overall = total.won[j] / total.n[j];
      const stageP = shrink(byStage.get(stage), j, overall);
      return shrink(byCell.get(key(stage, bucket)), j, stageP);
    },
  };
}

function getOr(map: Map<string, Counts>, k: string, h: number): Counts {
  let c = map.get(k);
  if (!c) map.set(k, (c = counter(h)));
  return c;
}

/**
 * The pipeline components at one origin: the open deals of the snapshot taken there (`live`:
 * the one at asOf, learning from same-day snapshots when asOf is not a first of a month) weighted
 * by the incidence learned before it, and the new-business run rate of whole months from the
 * first-of-month snapshots before it. `revenue` maps month index → closed-won revenue.
 */
export function pipelineComponents(
  cells: readonly SnapshotCell[],
  revenue: ReadonlyMap<number, number>,
  origin: number,
  h: number,
  live: false | { midMonth: boolean },
): PipelineComponents {
  const incidence = learnIncidence(cells, origin, h, live && live.midMonth ? 1 : 0);
  const open = new Map<string, { stage: string; bucket: number; deals: number; amount: number; amountSq: number }>();
  for (const cell of cells) {
    if (cell.refMonth !== origin || cell.kind !== (live ? 2 : 0)) continue;
    const k = key(cell.stage, cell.bucket);
    const o = open.get(k) ?? { stage: cell.stage, bucket: cell.bucket, deals: 0, amount: 0, amountSq: 0 };
    o.deals += cell.deals;
    o.amount += cell.amount;
    o.amountSq += cell.amountSq;
    open.set(k, o);
  }
  const expected = new Array<number>(h).fill(0);
  const expectedVar = new Array<number>(h).fill(0);
  for (const o of open.values()) {
    for (let j = 0; j < h; j++) {
      const p = incidence.p(o.stage, o.bucket, j);
      expected[j] += o.amount * p;
      // Each deal is won in month j or not: a Bernoulli trial on its amount.
      expectedVar[j] += o.amountSq * p * (1 - p);
    }
  }
  const nb = newBusiness(cells, revenue, origin, h);
  const deals = [...open.values()];
  return {
    expected,
    expectedVar,
    ...nb,
    snapshots: incidence.snapshots,
    incidence,
    openDeals: deals.reduce((s, o) => s + o.deals, 0),
    openAmount: deals.reduce((s, o) => s + o.amount, 0),
  };
}

/**
 * Revenue of month r + j not explained by deals open at snapshot r, averaged over the recent
 * snapshots whose month r + j had passed; months beyond what history can tell reuse the last known.
 */
function newBusiness(cells: readonly SnapshotCell[], revenue: ReadonlyMap<number, number>, origin: number, h: number) {
  const wonFrom = new Map<string, number>();
  const refs = new Set<number>();
  for (const cell of cells) {
    if (cell.kind !== 0 || cell.refMonth >= origin || cell.refMonth < origin - LEARNING_MONTHS) continue;
    refs.add(cell.refMonth);
    if (cell.wonOffset !== null) wonFrom.set(`${cell.refMonth}|${cell.wonOffset}`, (wonFrom.get(`${cell.refMonth}|${cell.wonOffset}`) ?? 0) + cell.wonAmount);
  }
  const sortedRefs = [...refs].sort((a, b) => b - a);
  const out = { newBusiness: [] as number[], newBusinessVar: [] as number[], newShare: [] as number[] };
  for (let j = 0; j < h; j++) {
    const usable = sortedRefs.filter((r) => r + j <= origin - 1 && revenue.has(r + j)).slice(0, NEW_BUSINESS_REFS);
    if (usable.length === 0) {
      out.newBusiness.push(j > 0 ? out.newBusiness[j - 1] : 0);
      out.newBusinessVar.push(j > 0 ? out.newBusinessVar[j - 1] : 0);
      out.newShare.push(j > 0 ? out.newShare[j - 1] : 1);
      continue;
    }
    const values = usable.map((r) => Math.max(0, revenue.get(r + j)! - (wonFrom.get(`${r}|${j}`) ?? 0)));
    const totalRevenue = usable.reduce((s, r) => s + revenue.get(r + j)!, 0);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : mean ** 2;
    out.newBusiness.push(mean);
    // Predicting one more month from a mean of k: σ²(1 + 1/k).
    out.newBusinessVar.push(variance * (1 + 1 / values.length));
    out.newShare.push(totalRevenue > 0 ? Math.min(1, values.reduce((s, v) => s + v, 0) / totalRevenue) : 1);
  }
  return out;
}

/** Pipeline method: open deals × learned incidence + the new-business run rate. */
export function pipelineForecast(c: PipelineComponents, firstMonthRemaining = 1): IntervalForecast {
  const point = c.expected.map((e, j) => e + c.newBusiness[j] * (j === 0 ? firstMonthRemaining : 1));
  const se = c.expected.map((_, j) => Math.sqrt(c.expectedVar[j] + c.newBusinessVar[j] * (j === 0 ? firstMonthRemaining ** 2 : 1)));
  return normalIntervals(point, se);
}

/**
 * Blend: the open deals as the pipeline method sees them, and the time series for the share of
 * each month that history says comes from deals not yet in the pipeline. `ts` is on the
 * remaining-revenue basis already (its first month scaled by the part of it still to come).
 */
export function hybridForecast(c: PipelineComponents, ts: IntervalForecast): IntervalForecast {
  const point = c.expected.map((e, j) => e + c.newShare[j] * ts.point[j]);
  const se = c.expected.map((_, j) => {
    const tsSe = Math.max(0, ts.upper95[j] - ts.point[j]) / Z95;
    return Math.sqrt(c.expectedVar[j] + (c.newShare[j] * tsSe) ** 2);
  });
  return normalIntervals(point, se);
}
