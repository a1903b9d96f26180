/**
 * Small bounded Nelder–Mead minimiser.
 *
 * Bounds are enforced by clamping every trial point into the box: with the handful of
 * smoothing parameters we fit this is simpler and more predictable than a logistic
 * transform, and it lets the optimum sit exactly on a bound (e.g. gamma = 1e-4), which is
 * where R's `ets` often ends up too. Fully deterministic: no random restarts.
 */
export interface NelderMeadOptions {
  lower: number[];
  upper: number[];
  /** Initial simplex step per coordinate (absolute). Defaults to 10% of the box width. */
  step?: number[];
  /** Hard cap on objective evaluations, which bounds the cost of a fit. */
  maxEvaluations?: number;
  /** Relative tolerance on the spread of objective values across the simplex. */
  tolerance?: number;
}

export interface NelderMeadResult {
  x: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

type Vertex = { x: number[]; f: number };

function clampInto(x: number[], lower: number[], upper: number[]): number[] {
  return x.map((v, i) => Math.min(upper[i], Math.max(lower[i], v)));
}

/** Non-finite objective values are treated as +Infinity so they always lose comparisons. */
function safe(f: (x: number[]) => number, x: number[]): number {
  const v = f(x);
  return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
}

function initialSimplex(f: (x: number[]) => number, x0: number[], opts: NelderMeadOptions): Vertex[] {
  const { lower, upper } = opts;
  const start = clampInto(x0, lower, upper);
  const simplex: Vertex[] = [{ x: start, f: safe(f, start) }];
  for (let i = 0; i < start.length; i++) {
    const step = opts.step?.[i] ?? 0.1 * (upper[i] - lower[i]);
    const x = [...start];
    // Step away from the nearer bound so the vertex does not collapse onto the start point.
    x[i] = x[i] + step <= upper[i] ? x[i] + step : x[i] - step;
    const clamped = clampInto(x, lower, upper);
    simplex.push({ x: clamped, f: safe(f, clamped) });
  }
  return simplex;
}

function converged(simplex: Vertex[], tol: number): boolean {
  const best = simplex[0].f;
  const worst = simplex[simplex.length - 1].f;
  if (!Number.isFinite(worst)) return false;
  // Absolute floor as well as relative: objectives near zero would otherwise never converge.
  return Math.abs(worst - best) <= tol * (Math.abs(best) + 1);
}

/** Coordinate sums of all vertices, so each centroid costs O(d) instead of O(d²). */
function vertexSum(simplex: Vertex[]): number[] {
  const sum = new Array<number>(simplex[0].x.length).fill(0);
  for (const v of simplex) for (let i = 0; i < sum.length; i++) sum[i] += v.x[i];
  return sum;
}

/** Replaces the worst vertex and re-inserts it in sorted position (the rest stay sorted). */
function replaceWorst(simplex: Vertex[], sum: number[], v: Vertex): void {
  const worst = simplex.pop() as Vertex;
  for (let i = 0; i < sum.length; i++) sum[i] += v.x[i] - worst.x[i];
  let at = simplex.length;
  while (at > 0 && simplex[at - 1].f > v.f) at--;
  simplex.splice(at, 0, v);
}

/** Minimises f inside [lower, upper]. */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  opts: NelderMeadOptions,
): NelderMeadResult {
  const maxEval = opts.maxEvaluations ?? 200 * (x0.length + 1);
  const tol = opts.tolerance ?? 1e-8;
  const simplex = initialSimplex(f, x0, opts);
  let evaluations = simplex.length;
  const evaluate = (x: number[]): Vertex => {
    evaluations++;
    const clamped = clampInto(x, opts.lower, opts.upper);
    return { x: clamped, f: safe(f, clamped) };
  };
  simplex.sort((a, b) => a.f - b.f);
  let sum = vertexSum(simplex);
  while (evaluations < maxEval && !converged(simplex, tol)) {
    const shrunk = step(simplex, sum, evaluate);
    if (shrunk) {
      simplex.sort((a, b) => a.f - b.f);
      sum = vertexSum(simplex);
    }
  }
  return { x: simplex[0].x, value: simplex[0].f, evaluations, converged: converged(simplex, tol) };
}

const move = (from: number[], towards: number[], t: number): number[] =>
  from.map((v, i) => v + t * (towards[i] - v));

/**
 * One reflection/expansion/contraction step (standard coefficients 1, 2, 0.5, 0.5), or a
 * shrink towards the best vertex, which the caller must re-sort (returns true then).
 */
function step(simplex: Vertex[], sum: number[], evaluate: (x: number[]) => Vertex): boolean {
  const last = simplex.length - 1;
  const worst = simplex[last];
  const c = sum.map((s, i) => (s - worst.x[i]) / last);
  const reflected = evaluate(move(worst.x, c, 2));
  if (reflected.f < simplex[0].f) {
    const expanded = evaluate(move(worst.x, c, 3));
    replaceWorst(simplex, sum, expanded.f < reflected.f ? expanded : reflected);
    return false;
  }
  if (reflected.f < simplex[last - 1].f) {
    replaceWorst(simplex, sum, reflected);
    return false;
  }
  const outside = reflected.f < worst.f;
  const contracted = evaluate(outside ? move(worst.x, c, 1.5) : move(worst.x, c, 0.5));
  if (contracted.f < Math.min(worst.f, reflected.f)) {
    replaceWorst(simplex, sum, contracted);
    return false;
  }
  for (let j = 1; j < simplex.length; j++) simplex[j] = evaluate(move(simplex[0].x, simplex[j].x, 0.5));
  return true;
}

/**
 * Nelder–Mead followed by restarts from the best point with a fresh simplex: a single run
 * in 10+ dimensions often stalls on a collapsed simplex, and a restart is the cheap,
 * deterministic remedy.
 */
export function nelderMeadRestarted(
  f: (x: number[]) => number,
  x0: number[],
  opts: NelderMeadOptions,
  restarts = 1,
): NelderMeadResult {
  let best = nelderMead(f, x0, opts);
  let evaluations = best.evaluations;
  for (let r = 0; r < restarts; r++) {
    const next = nelderMead(f, best.x, opts);
    evaluations += next.evaluations;
    const improved = next.value < best.value - 1e-10 * Math.abs(best.value);
    if (next.value <= best.value) best = next;
    if (!improved) break;
  }
  return { ...best, evaluations };
}
