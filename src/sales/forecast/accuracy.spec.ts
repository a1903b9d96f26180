import { describe, expect, it } from 'vitest';
import { coverage, mase, maseScale, smape } from './accuracy.js';

describe('accuracy measures', () => {
  it('when the series is longer than a season, then the MASE scale is the seasonal naive MAE', () => {
    const y = [1, 2, 3, 4, 2, 4, 6, 8];
    expect(maseScale(y, 4)).toBeCloseTo(2.5, 12); // |2-1|,|4-2|,|6-3|,|8-4|
  });

  it('when the series is shorter than a season plus one, then the scale falls back to naive lag 1', () => {
    expect(maseScale([10, 12, 9], 12)).toBeCloseTo(2.5, 12);
  });

  it('when the season repeats exactly, then the scale stays positive and a perfect forecast has MASE 0', () => {
    const y = [1, 5, 1, 5, 1, 5];
    const scale = maseScale(y, 2);
    expect(scale).toBeGreaterThan(0);
    expect(mase([1, 5], [1, 5], scale)).toBe(0);
  });

  it('when the series is constant zero, then the scale is 1 rather than 0', () => {
    expect(maseScale([0, 0, 0, 0], 2)).toBe(1);
  });

  it('when actual and forecast are both zero, then sMAPE counts it as 0', () => {
    expect(smape([0, 100], [0, 100])).toBe(0);
    expect(smape([100], [50])).toBeCloseTo((200 * 50) / 150, 12);
    expect(smape([0], [10])).toBe(200);
  });

  it('when two of four actuals fall inside the band, then coverage is 0.5', () => {
    expect(coverage([1, 2, 3, 4], [0, 0, 5, 5], [1.5, 2.5, 6, 6])).toBe(0.5);
  });
});
