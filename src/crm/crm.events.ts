import type { Stage } from './shared/crm.schemas.js';

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
