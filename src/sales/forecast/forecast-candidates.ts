/**
 * The candidate methods the engine compares, built the same way for the final fit and for
 * every backtest window so the backtest measures exactly what the user will get.
 */
import { medianCombination } from './combination.js';
import type { EtsSpec } from './ets-core.js';
import type { IntervalForecast } from './forecast-types.js';
import { fitEtsModel, forecastEts, rankEtsModels, type EtsFit } from './holt-winters.js';
import { seasonalNaiveForecast } from './seasonal-naive.js';
import { THETA_MIN_LENGTH, thetaForecast } from './theta.js';

export type CandidateName = 'ets' | 'theta' | 'seasonal_naive' | 'combination';
export const CANDIDATES: readonly CandidateName[] = ['ets', 'theta', 'seasonal_naive', 'combination'];

export interface CandidatePlan {
  m: number;
  /** Whether seasonal ETS models may be used (enough full seasons in the history). */
  seasonal: boolean;
  /** ETS form chosen by AICc on the full history; refitted (parameters only) per window. */
  ets: EtsFit | null;
}

const NON_SEASONAL_SES: (m: number) => EtsSpec = (m) => ({ error: 'A', trend: 'N', season: 'N', m });

/** Selects the ETS form by AICc on the full history. */
export function planCandidates(y: readonly number[], m: number, seasonal: boolean): CandidatePlan {
  const ets = rankEtsModels(y, { m, seasonal })[0] ?? null;
  return { m, seasonal, ets };
}

export type CandidateForecasts = Record<CandidateName, IntervalForecast>;

/**
 * Forecasts of all candidates from one window. `finalFit` skips refitting ETS when the
 * window is the full history already fitted by planCandidates.
 */
export function candidateForecasts(
  train: readonly number[],
  h: number,
  plan: CandidatePlan,
  finalFit = false,
): CandidateForecasts {
  const naive = seasonalNaiveForecast(train, h, plan.m);
  const ets = etsMember(train, h, plan, finalFit) ?? naive;
  const theta = thetaForecast(train, h, plan.m) ?? naive;
  return { ets, theta, seasonal_naive: naive, combination: medianCombination([ets, theta, naive]) };
}

function etsMember(train: readonly number[], h: number, plan: CandidatePlan, finalFit: boolean): IntervalForecast | null {
  if (finalFit && plan.ets) return forecastEts(plan.ets, h);
  // Per-window refits keep the full-history form (re-selecting it 12 times would cost
  // ~15× more); the form choice is the only information borrowed from the future.
  const spec = plan.ets?.spec ?? NON_SEASONAL_SES(plan.m);
  const fit = fitEtsModel(train, spec) ?? fitEtsModel(train, NON_SEASONAL_SES(plan.m));
  return fit ? forecastEts(fit, h) : null;
}

/** Human labels for the reason sentence and the backtest table. */
export function candidateLabels(plan: CandidatePlan, n: number): Record<CandidateName, string> {
  const naiveLabel = plan.m > 1 && n > plan.m ? 'seasonal naive' : 'naive';
  // Without a plan the per-window fallback is SES, or naive when even SES is infeasible.
  const etsLabel = plan.ets?.name ?? (n >= THETA_MIN_LENGTH ? 'ETS(A,N,N)' : naiveLabel);
  return {
    ets: etsLabel,
    theta: 'Theta',
    seasonal_naive: naiveLabel,
    combination: `median combination of ${etsLabel}, Theta and ${naiveLabel}`,
  };
}
