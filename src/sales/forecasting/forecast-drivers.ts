import type { EntityManager } from 'typeorm';
import { OPEN_STAGES } from '../win-rates/win-rates.repository.js';
import { round4 } from '../shared/plain.js';
import { money, type DealFilters } from '../shared/sql-params.js';
import type { ForecastRepository } from './forecast.repository.js';
import { AGE_BUCKET_BOUNDS, AGE_BUCKET_LABELS, type PipelineComponents } from './pipeline-model.js';

const DRIVER_LIMIT = 10;

export interface Driver {
  id: string;
  name: string;
  account: { id: string; name: string | null } | null;
  owner: string | null;
  stage: string;
  amount: number | null;
  closeDate: string | null;
  ageDays: number;
  ageBucket: string;
  /** Learned P(won by the end of the horizon) for its stage and age. */
  probability: number;
  /** amount × probability. */
  expected: number;
}

/** P(won within the horizon) per stage and age bucket: the sum of the monthly incidences. */
export function horizonProbabilities(live: PipelineComponents, hMonths: number): { stage: string; bucket: number; p: number }[] {
  const out: { stage: string; bucket: number; p: number }[] = [];
  for (const stage of OPEN_STAGES) {
    for (let bucket = 0; bucket <= AGE_BUCKET_BOUNDS.length; bucket++) {
      let p = 0;
      for (let j = 0; j < hMonths; j++) p += live.incidence.p(stage, bucket, j);
      out.push({ stage, bucket, p: Math.min(1, p) });
    }
  }
  return out;
}

/** The open deals at asOf that carry most of the pipeline's expected revenue within the horizon. */
export async function describeDrivers(
  repository: ForecastRepository,
  manager: EntityManager,
  tenantId: string,
  filters: DealFilters,
  asOf: string,
  live: PipelineComponents,
  hMonths: number,
): Promise<Driver[]> {
  const probabilities = horizonProbabilities(live, hMonths);
  const rows = await repository.drivers(manager, tenantId, filters, asOf, probabilities, DRIVER_LIMIT);
  return rows.map((row) => {
    const p = probabilities.find((x) => x.stage === row.stage && x.bucket === row.bucket)?.p ?? 0;
    const amount = row.amount === null ? null : money(row.amount);
    return {
      id: row.id,
      name: row.name,
      account: row.account_id ? { id: row.account_id, name: row.account_name } : null,
      owner: row.owner,
      stage: row.stage,
      amount,
      closeDate: row.close_date,
      ageDays: row.age_days,
      ageBucket: AGE_BUCKET_LABELS[row.bucket] ?? String(row.bucket),
      probability: round4(p),
      expected: money((amount ?? 0) * p),
    };
  });
}
