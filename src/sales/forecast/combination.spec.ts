import { describe, expect, it } from 'vitest';
import { medianCombination } from './combination.js';
import { normalIntervals } from './forecast-types.js';

describe('medianCombination', () => {
  it('when one member goes astray, then the combined point ignores it', () => {
    const a = normalIntervals([100, 110], [5, 6]);
    const b = normalIntervals([104, 112], [10, 12]);
    const wild = normalIntervals([900, 1e6], [500, 1e5]);
    const c = medianCombination([a, b, wild]);
    expect(c.point).toEqual([104, 112]);
    // Median half-width of the three members (the middle one, b's) around the combined point.
    expect(c.upper95[0] - c.point[0]).toBeCloseTo(b.upper95[0] - b.point[0], 10);
  });

  it('when members have intervals, then the combined bounds are ordered around the point', () => {
    const c = medianCombination([normalIntervals([10], [1]), normalIntervals([12], [3]), normalIntervals([11], [2])]);
    expect(c.lower95[0]).toBeLessThan(c.lower80[0]);
    expect(c.lower80[0]).toBeLessThan(c.point[0]);
    expect(c.upper80[0]).toBeLessThan(c.upper95[0]);
  });
});
