/** Classical (moving-average) decomposition and the seasonality test used by R's thetaf. */

export type DecompositionType = 'additive' | 'multiplicative';

/**
 * Centred moving average of order m (2×m MA when m is even), as R's `decompose`.
 * Ends without a full window are NaN.
 */
export function centredMovingAverage(y: readonly number[], m: number): number[] {
  const n = y.length;
  const out = new Array<number>(n).fill(Number.NaN);
  const even = m % 2 === 0;
  const half = Math.floor(m / 2);
  for (let t = half; t < n - half; t++) {
    let s = 0;
    for (let k = -half; k <= half; k++) {
      const w = even && Math.abs(k) === half ? 0.5 : 1;
      s += w * y[t + k];
    }
    out[t] = s / m;
  }
  return out;
}

/**
 * Seasonal figure (one index per position 0..m-1, position 0 = the first observation's
 * season) from R's `decompose`: average detrended ratio/difference per position, normalised
 * to mean 1 (multiplicative) or 0 (additive).
 */
export function seasonalFigure(y: readonly number[], m: number, type: DecompositionType): number[] {
  const trend = centredMovingAverage(y, m);
  const sums = new Array<number>(m).fill(0);
  const counts = new Array<number>(m).fill(0);
  for (let t = 0; t < y.length; t++) {
    if (Number.isNaN(trend[t])) continue;
    const detrended = type === 'additive' ? y[t] - trend[t] : y[t] / trend[t];
    if (!Number.isFinite(detrended)) continue;
    sums[t % m] += detrended;
    counts[t % m]++;
  }
  const neutral = type === 'additive' ? 0 : 1;
  const raw = sums.map((s, i) => (counts[i] > 0 ? s / counts[i] : neutral));
  const avg = raw.reduce((a, b) => a + b, 0) / m;
  return raw.map((v) => (type === 'additive' ? v - avg : v / avg));
}

/** Sample autocorrelations r_1..r_maxLag (R's `acf` definition: common mean, divisor n). */
export function autocorrelations(y: readonly number[], maxLag: number): number[] {
  const n = y.length;
  const mu = y.reduce((a, b) => a + b, 0) / n;
  let denom = 0;
  for (const v of y) denom += (v - mu) ** 2;
  const r: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += (y[t] - mu) * (y[t + k] - mu);
    r.push(denom > 0 ? s / denom : 0);
  }
  return r;
}

/**
 * The 90% one-sided ACF test at lag m from Assimakopoulos & Nikolopoulos, as in R's thetaf:
 * seasonal when |r_m| exceeds 1.645 standard errors (Bartlett's formula over lags < m).
 * Needs more than two full seasons and a non-constant series.
 */
export function isSeasonalAcfTest(y: readonly number[], m: number): boolean {
  const n = y.length;
  if (m <= 1 || n <= 2 * m) return false;
  if (y.every((v) => v === y[0])) return false;
  const r = autocorrelations(y, m);
  let sumSq = 0;
  for (let k = 0; k < m - 1; k++) sumSq += r[k] * r[k];
  const stat = Math.sqrt((1 + 2 * sumSq) / n);
  return Math.abs(r[m - 1]) / stat > Z90_ONE_SIDED;
}

/** qnorm(0.95): thetaf's threshold (a 90% two-sided / 95% one-sided test). */
const Z90_ONE_SIDED = 1.6448536269514722;
