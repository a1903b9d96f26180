/**
 * Two robust time-series candidates built on a classical seasonal decomposition, and their
 * median blend with the engine's own combination. When the forecast is for one region or
 * segment, the seasonal pattern comes from all the tenant's deals (the pooled total, far less
 * noisy than a small slice) while level and growth come from the slice itself. On noisy,
 * small monthly series this beat selecting among ETS/Theta/seasonal naive in our simulations,
 * and the median of several methods is the most robust choice (M4 competition).
 */
import { isSeasonalAcfTest, seasonalFigure } from '../forecast/classical-decomposition.js';
import { medianCombination } from '../forecast/combination.js';
import type { CandidateForecasts } from '../forecast/forecast-candidates.js';
import { normalIntervals, type IntervalForecast } from '../forecast/forecast-types.js';
import { thetaForecast } from '../forecast/theta.js';

const SEASON = 12;
/** Growth is extrapolated at half strength and within [−33 %, +50 %] a year: trends fade (damping). */
const GROWTH_SHRINK = 0.5;
const GROWTH_BOUNDS = [0.67, 1.5] as const;
/** A seasonal index this close to 0 would blow a month up when dividing by it. */
const MIN_INDEX = 0.05;

/** Multiplicative seasonal index per calendar month (0 = January); all 1 when there is no seasonality to find. */
export type CalendarFigure = number[];

/**
 * The seasonal figure of a reference series (month index → revenue, contiguous) from its months
 * before `before` only. Null with less than two years; flat when the ACF test finds no seasonality.
 */
export function calendarFigure(reference: ReadonlyMap<number, number>, before: number): CalendarFigure | null {
  const months = [...reference.keys()].filter((m) => m < before).sort((a, b) => a - b);
  if (months.length < 2 * SEASON) return null;
  const y = months.map((m) => reference.get(m)!);
  const flat = new Array<number>(SEASON).fill(1);
  if (y.length > 2 * SEASON + 2 && !isSeasonalAcfTest(y, SEASON)) return flat;
  const figure = seasonalFigure(y, SEASON, 'multiplicative');
  if (figure.some((s) => !(s > MIN_INDEX) || !Number.isFinite(s))) return null;
  const calendar = new Array<number>(SEASON);
  figure.forEach((s, position) => (calendar[(months[0] + position) % SEASON] = s));
  return calendar;
}

export interface SeasonalCandidates {
  decomposition: IntervalForecast;
  pooled_theta: IntervalForecast;
  blend: IntervalForecast;
}

/**
 * The candidates for a series `y` whose first value is month `firstMonth`, forecasting h months
 * from the month after it, with the figure known at that point. Null when not applicable.
 */
export function seasonalCandidates(
  y: readonly number[],
  firstMonth: number,
  h: number,
  figure: CalendarFigure | null,
  engine: CandidateForecasts,
): SeasonalCandidates | null {
  if (!figure || y.length < SEASON + 1) return null;
  const s = (t: number) => figure[(firstMonth + t) % SEASON];
  const adjusted = y.map((v, t) => v / s(t));
  const decomposition = decompositionForecast(adjusted, h, s);
  const theta = thetaForecast(adjusted, h, 1);
  if (!theta) return null;
  const reseason = (values: number[]) => values.map((v, j) => v * s(y.length + j));
  const pooledTheta: IntervalForecast = {
    point: reseason(theta.point),
    lower80: reseason(theta.lower80),
    upper80: reseason(theta.upper80),
    lower95: reseason(theta.lower95),
    upper95: reseason(theta.upper95),
  };
  return { decomposition, pooled_theta: pooledTheta, blend: medianCombination([decomposition, pooledTheta, engine.combination]) };
}

/**
 * Seasonal index × the mean of the last 12 seasonally adjusted months × damped yearly growth.
 * Errors: the spread of adjusted months around the mean of the 12 before them, growing with h.
 */
function decompositionForecast(adjusted: readonly number[], h: number, s: (t: number) => number): IntervalForecast {
  const n = adjusted.length;
  const mean = (from: number, to: number) => adjusted.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
  const level = mean(n - SEASON, n);
  const previous = n >= 2 * SEASON ? mean(n - 2 * SEASON, n - SEASON) : 0;
  const raw = previous > 0 ? Math.min(GROWTH_BOUNDS[1], Math.max(GROWTH_BOUNDS[0], level / previous)) : 1;
  const growth = 1 + GROWTH_SHRINK * (raw - 1);
  let sq = 0;
  for (let t = SEASON; t < n; t++) sq += (adjusted[t] - mean(t - SEASON, t)) ** 2;
  const sigma = n > SEASON ? Math.sqrt(sq / (n - SEASON)) : Math.abs(level) * 0.5;
  // The last-12 mean is centred 6.5 months before the first forecast month.
  const point = Array.from({ length: h }, (_, j) => s(n + j) * level * growth ** ((j + 6.5) / SEASON));
  const se = point.map((_, j) => s(n + j) * sigma * Math.sqrt(1 + j / SEASON));
  return normalIntervals(point, se);
}
