import type { ForecastCategory, Stage } from '../shared/crm.schemas.js';

/** Probability a deal closes, by stage, when the client does not say (a common CRM default ladder). */
export const DEFAULT_PROBABILITY: Record<Stage, number> = {
  prospecting: 10,
  qualification: 20,
  proposal: 50,
  negotiation: 75,
  closed_won: 100,
  closed_lost: 0,
};

export const DEFAULT_FORECAST_CATEGORY: Record<Stage, ForecastCategory> = {
  prospecting: 'pipeline',
  qualification: 'pipeline',
  proposal: 'best_case',
  negotiation: 'commit',
  closed_won: 'closed',
  closed_lost: 'omitted',
};

export function isClosed(stage: Stage): boolean {
  return stage === 'closed_won' || stage === 'closed_lost';
}

export interface StageState {
  stage: Stage;
  probability: number;
  forecastCategory: ForecastCategory;
}

export interface StageChange {
  stage?: Stage;
  probability?: number;
  forecastCategory?: ForecastCategory;
}

/**
 * The probability and forecast category after a change. A new stage resets both to its defaults
 * unless the client sets them in the same request; otherwise the client's values (or the current ones) stay.
 */
export function resolveStage(current: StageState | undefined, change: StageChange): StageState & { stageChanged: boolean } {
  const stage = change.stage ?? current?.stage ?? 'prospecting';
  const stageChanged = current === undefined || stage !== current.stage;
  return {
    stage,
    stageChanged,
    probability: change.probability ?? (stageChanged ? DEFAULT_PROBABILITY[stage] : current!.probability),
    forecastCategory: change.forecastCategory ?? (stageChanged ? DEFAULT_FORECAST_CATEGORY[stage] : current!.forecastCategory),
  };
}
