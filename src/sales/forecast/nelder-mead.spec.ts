import { describe, expect, it } from 'vitest';
import { nelderMead, nelderMeadRestarted } from './nelder-mead.js';

const rosenbrock = ([x, y]: number[]): number => (1 - x) ** 2 + 100 * (y - x * x) ** 2;

describe('nelderMead', () => {
  it('when minimising the Rosenbrock function inside a wide box, then it finds (1, 1)', () => {
    const res = nelderMeadRestarted(rosenbrock, [-1.2, 1], { lower: [-5, -5], upper: [5, 5], maxEvaluations: 4000 }, 2);
    expect(res.x[0]).toBeCloseTo(1, 3);
    expect(res.x[1]).toBeCloseTo(1, 3);
    expect(res.value).toBeLessThan(1e-6);
  });

  it('when the unconstrained optimum lies outside the box, then it stops on the bound', () => {
    const res = nelderMead(([x, y]) => (x - 2) ** 2 + (y + 3) ** 2, [0.5, 0.5], { lower: [0, -1], upper: [1, 1] });
    expect(res.x[0]).toBeCloseTo(1, 6);
    expect(res.x[1]).toBeCloseTo(-1, 6);
  });

  it('when run twice from the same start, then the results are identical (deterministic)', () => {
    const opts = { lower: [-5, -5], upper: [5, 5], maxEvaluations: 300 };
    expect(nelderMead(rosenbrock, [-1.2, 1], opts)).toEqual(nelderMead(rosenbrock, [-1.2, 1], opts));
  });

  it('when the objective returns NaN in part of the box, then those points are avoided', () => {
    const f = ([x]: number[]): number => (x < 0.3 ? Number.NaN : (x - 0.5) ** 2);
    const res = nelderMead(f, [0.9], { lower: [0], upper: [1] });
    expect(res.x[0]).toBeCloseTo(0.5, 4);
    expect(Number.isFinite(res.value)).toBe(true);
  });

  it('when the evaluation budget is tiny, then it stops within the budget', () => {
    const res = nelderMead(rosenbrock, [-1.2, 1], { lower: [-5, -5], upper: [5, 5], maxEvaluations: 20 });
    expect(res.evaluations).toBeLessThanOrEqual(20 + 3);
    expect(res.converged).toBe(false);
  });
});
