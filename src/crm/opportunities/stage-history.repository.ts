import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ForecastCategory, Stage } from '../shared/crm.schemas.js';

/** One change of an opportunity: the state after it, and the stage/amount/close date before it. */
export interface StageHistoryEntry {
  opportunityId: string;
  changedAt: Date | string;
  changedBy: string;
  source: 'api' | 'import' | 'seed';
  fromStage: Stage | null;
  toStage: Stage;
  fromAmount: number | string | null;
  amount: number | string | null;
  fromCloseDate: string | null;
  closeDate: string | null;
  probability: number;
  forecastCategory: ForecastCategory;
}

export interface StageHistoryRow {
  changed_at: Date;
  changed_by: string;
  source: string;
  from_stage: Stage | null;
  to_stage: Stage;
  from_amount: string | null;
  amount: string | null;
  from_close_date: string | null;
  close_date: string | null;
  probability: number;
  forecast_category: ForecastCategory;
}

/** The append-only opportunity history (the app role may not UPDATE or DELETE it). */
@Injectable()
export class StageHistoryRepository {
  /** Appends entries in one statement (arrays unnested server-side: one round trip per batch). */
  async append(manager: EntityManager, tenantId: string, entries: StageHistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const column = <K extends keyof StageHistoryEntry>(key: K) =>
      entries.map((entry) => {
        const value = entry[key];
        return value instanceof Date ? value.toISOString() : value;
      });
    await manager.query(
      `INSERT INTO opportunity_stage_history (tenant_id, opportunity_id, changed_at, changed_by, source, from_stage, to_stage,
                                              from_amount, amount, from_close_date, close_date, probability, forecast_category)
       SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
                                $8::numeric[], $9::numeric[], $10::date[], $11::date[], $12::smallint[], $13::text[])`,
      [
        tenantId, column('opportunityId'), column('changedAt'), column('changedBy'), column('source'), column('fromStage'),
        column('toStage'), column('fromAmount'), column('amount'), column('fromCloseDate'), column('closeDate'),
        column('probability'), column('forecastCategory'),
      ],
    );
  }

  async forOpportunity(manager: EntityManager, tenantId: string, opportunityId: string): Promise<StageHistoryRow[]> {
    return manager.query(
      `SELECT changed_at, changed_by, source, from_stage, to_stage, from_amount, amount, from_close_date::text AS from_close_date,
              close_date::text AS close_date, probability, forecast_category
         FROM opportunity_stage_history WHERE tenant_id = $1 AND opportunity_id = $2 ORDER BY changed_at, id`,
      [tenantId, opportunityId],
    );
  }
}
