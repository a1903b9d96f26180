import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { EntityManager } from 'typeorm';
import {
  inTransaction,
  OPPORTUNITY_CLOSE_DATE_SLIPPED,
  OPPORTUNITY_STAGE_CHANGED,
  type OpportunityCloseDateSlippedEvent,
  type OpportunityStageChangedEvent,
} from '../crm.events.js';
import { iso, money } from '../shared/sql.js';
import type { OpportunityRow } from './opportunities.repository.js';
import type { StageHistoryEntry } from './stage-history.repository.js';

export type CrmEvent =
  | { name: typeof OPPORTUNITY_STAGE_CHANGED; payload: OpportunityStageChangedEvent }
  | { name: typeof OPPORTUNITY_CLOSE_DATE_SLIPPED; payload: OpportunityCloseDateSlippedEvent };

type Snapshot = Pick<OpportunityRow, 'stage' | 'amount' | 'close_date'>;

/** The history entry a write produces: one at creation, then one per change of stage, amount or close date. */
export function historyEntry(
  before: Snapshot | undefined,
  after: OpportunityRow,
  changedBy: string,
  source: StageHistoryEntry['source'],
): StageHistoryEntry | undefined {
  const changed = !before || before.stage !== after.stage || money(before.amount) !== money(after.amount) || before.close_date !== after.close_date;
  if (!changed) return undefined;
  return {
    opportunityId: after.id,
    changedAt: before ? after.updated_at : after.created_at,
    changedBy,
    source,
    fromStage: before?.stage ?? null,
    toStage: after.stage,
    fromAmount: before?.amount ?? null,
    amount: after.amount,
    fromCloseDate: before?.close_date ?? null,
    closeDate: after.close_date,
    probability: after.probability,
    forecastCategory: after.forecast_category,
  };
}

/** The domain events of a change (creation emits none: a new deal has not changed stage). */
export function changeEvents(tenantId: string, before: Snapshot, after: OpportunityRow, changedBy: string): CrmEvent[] {
  const events: CrmEvent[] = [];
  const common = { tenantId, opportunityId: after.id, amount: money(after.amount), currency: after.currency, changedBy, changedAt: iso(after.updated_at)! };
  if (before.stage !== after.stage) {
    events.push({ name: OPPORTUNITY_STAGE_CHANGED, payload: { ...common, from: before.stage, to: after.stage, closeDate: after.close_date } });
  }
  // A slip is a close date moved later; setting a first date or pulling it in is not.
  if (before.close_date !== null && after.close_date !== null && after.close_date > before.close_date) {
    events.push({ name: OPPORTUNITY_CLOSE_DATE_SLIPPED, payload: { ...common, from: before.close_date, to: after.close_date, stage: after.stage } });
  }
  return events;
}

/** Publishes the CRM's events: inside the writing transaction (see crm.events.ts), then after commit. */
@Injectable()
export class CrmEventPublisher {
  private readonly logger = new Logger('CrmEvents');

  constructor(private readonly emitter: EventEmitter2) {}

  /** Inside the transaction, before commit; awaited, and a listener's error fails the write. */
  async publishInTransaction(manager: EntityManager, events: CrmEvent[]): Promise<void> {
    for (const event of events) await this.emitter.emitAsync(inTransaction(event.name), { manager, event: event.payload });
  }

  /** After commit; a failing listener never fails the write. */
  publish(events: CrmEvent[]): void {
    for (const event of events) {
      try {
        this.emitter.emit(event.name, event.payload);
      } catch (error) {
        this.logger.error({ err: error, event: event.name }, 'event listener failed');
      }
    }
  }
}
