import type { EntityManager } from 'typeorm';
import type { Stage } from './shared/crm.schemas.js';

/**
 * Every CRM event is emitted twice: first inside the transaction that made the change, as
 * `<name>:in-transaction` with that transaction's EntityManager — for reactions that must be
 * durable with the change (a rule's notification enters the outbox atomically with the write,
 * so no crash can lose it); then after commit under its plain name, for everything else.
 * An in-transaction listener that throws fails the write: catch what must not.
 */
export function inTransaction(eventName: string): string {
  return `${eventName}:in-transaction`;
}

export interface InTransactionEvent<T> {
  /** The CRM write's transaction (its tenant already set for row-level security). */
  manager: EntityManager;
  event: T;
}

/** Emitted (EventEmitter2) after the transaction that changed an opportunity's stage has committed. */
export const OPPORTUNITY_STAGE_CHANGED = 'crm.opportunity.stage-changed';
/** Emitted after commit when an opportunity's close date moved later (a slip). */
export const OPPORTUNITY_CLOSE_DATE_SLIPPED = 'crm.opportunity.close-date-slipped';

export interface OpportunityStageChangedEvent {
  tenantId: string;
  opportunityId: string;
  from: Stage;
  to: Stage;
  /** After the change; null when the deal has no amount yet. */
  amount: number | null;
  currency: string;
  /** YYYY-MM-DD after the change, or null. */
  closeDate: string | null;
  /** The principal's subject (or "import:<subject>" for bulk imports). */
  changedBy: string;
  changedAt: string;
}

export interface OpportunityCloseDateSlippedEvent {
  tenantId: string;
  opportunityId: string;
  /** YYYY-MM-DD before and after; `from` is null only when no date was set. */
  from: string | null;
  to: string;
  stage: Stage;
  amount: number | null;
  currency: string;
  changedBy: string;
  changedAt: string;
}
