import { describe, expect, it } from 'vitest';
import { resolveStage } from './stage-rules.js';

describe('stage rules', () => {
  it('when a deal is created without stage, then it is prospecting at 10 % in the pipeline category', () => {
    expect(resolveStage(undefined, {})).toEqual({ stage: 'prospecting', stageChanged: true, probability: 10, forecastCategory: 'pipeline' });
  });

  it('when the stage changes, then probability and category reset to the new stage unless given', () => {
    const current = { stage: 'proposal' as const, probability: 65, forecastCategory: 'best_case' as const };
    expect(resolveStage(current, { stage: 'negotiation' })).toMatchObject({ probability: 75, forecastCategory: 'commit', stageChanged: true });
    expect(resolveStage(current, { stage: 'closed_lost', probability: 5 })).toMatchObject({ probability: 5, forecastCategory: 'omitted' });
  });

  it('when the stage stays, then the current probability and category stay', () => {
    const current = { stage: 'proposal' as const, probability: 65, forecastCategory: 'commit' as const };
    expect(resolveStage(current, { stage: 'proposal' })).toEqual({ ...current, stageChanged: false });
  });
});
