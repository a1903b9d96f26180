import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  it('when attempts grow, then the delay range doubles each time until the cap', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1000, 5000, () => 1))).toEqual([1000, 2000, 4000, 5000]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1000, 5000, () => 0))).toEqual([500, 1000, 2000, 2500]);
  });

  it('when the random draw varies, then the delay stays within half to all of the ceiling', () => {
    for (let draw = 0; draw <= 1; draw += 0.125) {
      const delay = retryDelayMs(3, 100, 10_000, () => draw);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });

  it('when the attempt number is huge, then the delay is the cap, not Infinity', () => {
    expect(retryDelayMs(10_000, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
