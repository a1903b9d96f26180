import { describe, expect, it } from 'vitest';
import { Z95 } from '../forecast/forecast-types.js';
import { hybridForecast, learnIncidence, pipelineComponents, pipelineForecast, type SnapshotCell } from './pipeline-model.js';

const cell = (c: Partial<SnapshotCell>): SnapshotCell => ({
  refMonth: 100, kind: 0, stage: 'proposal', bucket: 0, wonOffset: null, deals: 1, amount: 1000, amountSq: 1e6, wonAmount: 0, ...c,
});

describe('learnIncidence', () => {
  it('when big deals convert less often than small ones, then P is the share of value won, not of deals', () => {
    // One snapshot: 9 small deals of 100 (all won the same month) and one of 9,100 (not won).
    const cells = [cell({ deals: 9, amount: 900, wonOffset: 0, wonAmount: 900 }), cell({ deals: 1, amount: 9100 })];
    const p = learnIncidence(cells, 101, 1).p('proposal', 0, 0);
    // Value-weighted 900 / 10,000 = 0.09 (count-weighted would say 0.9); the prior pulls towards the same overall rate.
    expect(p).toBeCloseTo(0.09, 10);
  });

  it('when a month after the snapshot has not fully passed by the origin, then that snapshot does not count for it', () => {
    const cells = [cell({ refMonth: 98, wonOffset: 1 }), cell({ refMonth: 99, wonOffset: null })];
    const incidence = learnIncidence(cells, 100, 2);
    // Offset 1 of snapshot 99 is month 100: not passed at origin 100, so only snapshot 98 counts → 1/1.
    expect(incidence.p('proposal', 0, 1)).toBe(1);
    // Offset 0: both count, neither won in its own month.
    expect(incidence.p('proposal', 0, 0)).toBe(0);
    expect(incidence.snapshots).toBe(2);
  });

  it('when a stage and age have few deals, then their rate is shrunk towards the stage, and the stage towards all', () => {
    const cells = [
      cell({ stage: 'negotiation', bucket: 1, deals: 1, amount: 1000, wonOffset: 0, wonAmount: 1000 }),
      ...Array.from({ length: 10 }, () => cell({ stage: 'proposal', deals: 10, amount: 10_000 })),
    ];
    const incidence = learnIncidence(cells, 101, 1);
    // overall = 1,000 / 101,000; prior = 20 average deals = 20 × 101,000 / 101 = 20,000 of value.
    const overall = 1000 / 101_000;
    const stage = (1000 + 20_000 * overall) / (1000 + 20_000);
    expect(incidence.p('negotiation', 1, 0)).toBeCloseTo((1000 + 20_000 * stage) / (1000 + 20_000), 12);
    expect(incidence.p('negotiation', 3, 0)).toBeCloseTo(stage, 12);
  });

  it('when learning for a mid-month asOf, then only the same-day snapshots count (j = 0 is the rest of their month)', () => {
    const cells = [cell({ refMonth: 99, kind: 0, wonOffset: 0 }), cell({ refMonth: 99, kind: 1, wonOffset: 1 })];
    expect(learnIncidence(cells, 100, 2, 1).p('proposal', 0, 0)).toBe(0);
    expect(learnIncidence(cells, 100, 2, 0).p('proposal', 0, 0)).toBe(1);
  });

  it('when snapshots are at or after the origin or taken at asOf, then they teach nothing', () => {
    const cells = [cell({ refMonth: 100, wonOffset: 0 }), cell({ refMonth: 99, kind: 2, wonOffset: 0 })];
    expect(learnIncidence(cells, 100, 1).snapshots).toBe(0);
    expect(learnIncidence(cells, 100, 1).p('proposal', 0, 0)).toBe(0);
  });
});

describe('pipelineComponents and the pipeline forecasts', () => {
  // 12 monthly snapshots, each with 4 deals of 1,000 of which 2 are won the same month; revenue 3,000 a month.
  const history: SnapshotCell[] = [];
  for (let r = 88; r < 100; r++) {
    history.push(cell({ refMonth: r, deals: 2, amount: 2000, amountSq: 2e6, wonOffset: 0, wonAmount: 2000 }));
    history.push(cell({ refMonth: r, deals: 2, amount: 2000, amountSq: 2e6 }));
  }
  const revenue = new Map(Array.from({ length: 14 }, (_, i) => [88 + i, 3000] as [number, number]));
  const live = [cell({ refMonth: 100, kind: 2, deals: 2, amount: 3000, amountSq: 5e6 })];

  it('when forecasting from asOf, then open value × P plus the new-business run rate, with Bernoulli variance', () => {
    const c = pipelineComponents([...history, ...live], revenue, 100, 2, { midMonth: false });
    expect(c.expected).toEqual([1500, 0]);
    expect(c.expectedVar[0]).toBeCloseTo(5e6 * 0.25, 6);
    // Month r: 3,000 closed, 2,000 of it from the snapshot's deals → 1,000 new; month r + 1: all 3,000 new.
    expect(c.newBusiness).toEqual([1000, 3000]);
    expect(c.newShare[0]).toBeCloseTo(1 / 3, 12);
    expect(c).toMatchObject({ snapshots: 12, openDeals: 2, openAmount: 3000 });
    const f = pipelineForecast(c);
    expect(f.point).toEqual([2500, 3000]);
    expect(f.upper95[0] - f.point[0]).toBeCloseTo(Z95 * Math.sqrt(5e6 * 0.25), 6);
  });

  it('when only part of the first month remains, then only that part of its new business is added', () => {
    const c = pipelineComponents([...history, ...live], revenue, 100, 1, { midMonth: false });
    expect(pipelineForecast(c, 0.5).point).toEqual([1500 + 500]);
  });

  it('when blending with a time series, then the series supplies the share of revenue from deals not yet open', () => {
    const c = pipelineComponents([...history, ...live], revenue, 100, 1, { midMonth: false });
    const ts = { point: [3300], lower80: [3000], upper80: [3600], lower95: [2700], upper95: [3900] };
    expect(hybridForecast(c, ts).point[0]).toBeCloseTo(1500 + 3300 / 3, 9);
  });
});
