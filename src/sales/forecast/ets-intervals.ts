/**
 * Prediction intervals for ETS models.
 *
 * Choice: for purely additive models (class 1 in Hyndman et al. 2008, ch. 6) we use the exact
 * analytic variance v_h = σ²(1 + Σ_{j<h} c_j²) with c_j = α + β·Σ_{i≤j}φ^i + γ·[j ≡ 0 mod m],
 * which reproduces R's forecast.ets. Models with a multiplicative error or season have no
 * simple closed form, so we simulate sample paths with a fixed-seed generator (reproducible)
 * and take empirical quantiles; the point forecast stays the usual ETS point forecast, as in R.
 */
import { cloneState, oneStep, updateState, type EtsParams, type EtsSpec, type EtsState } from './ets-core.js';
import { normalIntervals, type IntervalForecast } from './forecast-types.js';
import { createNormalRng, sortedQuantile } from './prng.js';

const SIMULATION_PATHS = 2000;
const SIMULATION_SEED = 20240607;

/** Analytic forecast standard errors for additive-error, additive/no-season models. */
export function additiveStandardErrors(h: number, spec: EtsSpec, p: EtsParams, sigma2: number): number[] {
  const se: number[] = [];
  let acc = 0;
  let phiSum = 0;
  let phiPow = 1;
  for (let step = 1; step <= h; step++) {
    se.push(Math.sqrt(sigma2 * (1 + acc)));
    // c_j for j = step, used by the next horizon.
    if (spec.trend === 'A') phiSum = step;
    if (spec.trend === 'Ad') {
      phiPow *= p.phi;
      phiSum += phiPow;
    }
    const seasonal = spec.season === 'A' && step % spec.m === 0 ? p.gamma : 0;
    const c = p.alpha + (spec.trend === 'N' ? 0 : p.beta * phiSum) + seasonal;
    acc += c * c;
  }
  return se;
}

/** Simulated quantile intervals around the given point forecast. */
export function simulatedIntervals(
  point: number[],
  final: EtsState,
  n: number,
  spec: EtsSpec,
  p: EtsParams,
  sigma2: number,
): IntervalForecast {
  const h = point.length;
  const draws: number[][] = Array.from({ length: h }, () => []);
  const normal = createNormalRng(SIMULATION_SEED);
  const sigma = Math.sqrt(sigma2);
  for (let path = 0; path < SIMULATION_PATHS; path++) {
    const st = cloneState(final);
    for (let j = 0; j < h; j++) {
      const yhat = oneStep(st, n + j, spec, p);
      const e = sigma * normal();
      const y = spec.error === 'A' ? yhat + e : yhat * (1 + e);
      draws[j].push(y);
      updateState(st, y, n + j, spec, p);
    }
  }
  return quantileIntervals(point, draws);
}

function quantileIntervals(point: number[], draws: number[][]): IntervalForecast {
  const out: IntervalForecast = { point: [...point], lower80: [], upper80: [], lower95: [], upper95: [] };
  draws.forEach((d, j) => {
    const finite = d.filter(Number.isFinite).sort((a, b) => a - b);
    out.lower80.push(sortedQuantile(finite, 0.1));
    out.upper80.push(sortedQuantile(finite, 0.9));
    out.lower95.push(sortedQuantile(finite, 0.025));
    out.upper95.push(sortedQuantile(finite, 0.975));
    // Keep the point inside its own interval even when simulated paths are skewed.
    out.lower80[j] = Math.min(out.lower80[j], point[j]);
    out.upper80[j] = Math.max(out.upper80[j], point[j]);
    out.lower95[j] = Math.min(out.lower95[j], out.lower80[j]);
    out.upper95[j] = Math.max(out.upper95[j], out.upper80[j]);
  });
  return out;
}

export function etsIntervals(
  point: number[],
  final: EtsState,
  n: number,
  spec: EtsSpec,
  p: EtsParams,
  sigma2: number,
): IntervalForecast {
  if (spec.error === 'A' && spec.season !== 'M') {
    return normalIntervals(point, additiveStandardErrors(point.length, spec, p, sigma2));
  }
  return simulatedIntervals(point, final, n, spec, p, sigma2);
}
