/**
 * Forecast combination. The M4 competition (Makridakis et al. 2020) found simple
 * combinations of statistical methods more accurate and far more robust than picking one
 * method; we take the per-step median, which also ignores a single member that goes astray.
 *
 * Intervals: the combined point ± the per-step median of the members' half-widths (each side
 * separately, so skewed members keep their skew). Members' intervals describe the same
 * uncertainty, so the median width is a robust consensus; the engine then checks it against
 * rolling-origin errors and widens it when it proves too narrow.
 */
import { median, type IntervalForecast } from './forecast-types.js';

export function medianCombination(members: readonly IntervalForecast[]): IntervalForecast {
  const h = Math.min(...members.map((f) => f.point.length));
  const out: IntervalForecast = { point: [], lower80: [], upper80: [], lower95: [], upper95: [] };
  for (let j = 0; j < h; j++) {
    const point = median(members.map((f) => f.point[j]));
    const below = (key: 'lower80' | 'lower95'): number => median(members.map((f) => Math.max(0, f.point[j] - f[key][j])));
    const above = (key: 'upper80' | 'upper95'): number => median(members.map((f) => Math.max(0, f[key][j] - f.point[j])));
    const lo80 = below('lower80');
    const hi80 = above('upper80');
    out.point.push(point);
    out.lower80.push(point - lo80);
    out.upper80.push(point + hi80);
    out.lower95.push(point - Math.max(below('lower95'), lo80));
    out.upper95.push(point + Math.max(above('upper95'), hi80));
  }
  return out;
}
