import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { EntityManager } from 'typeorm';
import {
  inTransaction,
  type InTransactionEvent,
  OPPORTUNITY_CLOSE_DATE_SLIPPED,
  OPPORTUNITY_STAGE_CHANGED,
  type OpportunityCloseDateSlippedEvent,
  type OpportunityStageChangedEvent,
} from '../../crm/crm.events.js';
import { type RuleOccurrence, RulesService } from './rules.service.js';

function money(amount: number | null, currency: string): string {
  return amount === null ? 'no amount' : `${amount.toFixed(2)} ${currency}`;
}

/** A closing stage change as a rule occurrence; undefined for any other stage change. */
export function stageChangeOccurrence(event: OpportunityStageChangedEvent): RuleOccurrence | undefined {
  if (event.from === event.to || (event.to !== 'closed_won' && event.to !== 'closed_lost')) return undefined;
  const won = event.to === 'closed_won';
  return {
    tenantId: event.tenantId,
    event: won ? 'opportunity.closed_won' : 'opportunity.closed_lost',
    key: `${event.opportunityId}:${event.to}:${event.changedAt}`,
    actor: event.changedBy,
    subject: won ? 'Opportunity won' : 'Opportunity lost',
    text: `Opportunity ${event.opportunityId} moved from ${event.from} to ${event.to} (${money(event.amount, event.currency)}).`,
    severity: won ? 'info' : 'warning',
    data: { opportunityId: event.opportunityId, from: event.from, to: event.to, amount: event.amount, currency: event.currency, closeDate: event.closeDate, changedBy: event.changedBy, changedAt: event.changedAt },
  };
}

export function slipOccurrence(event: OpportunityCloseDateSlippedEvent): RuleOccurrence {
  return {
    tenantId: event.tenantId,
    event: 'opportunity.close_date_slipped',
    key: `${event.opportunityId}:slip:${event.to}:${event.changedAt}`,
    actor: event.changedBy,
    subject: 'Close date slipped',
    text: `Opportunity ${event.opportunityId} (${event.stage}, ${money(event.amount, event.currency)}) now closes ${event.to}${event.from ? ` instead of ${event.from}` : ''}.`,
    severity: 'warning',
    data: { opportunityId: event.opportunityId, from: event.from, to: event.to, stage: event.stage, amount: event.amount, currency: event.currency, changedBy: event.changedBy, changedAt: event.changedAt },
  };
}

/**
 * CRM domain events → the tenant's rules. The notification is enqueued inside the CRM write's
 * own transaction (crm.events.ts), under a savepoint: a crash after the commit cannot lose it,
 * and a failure here is logged and undone alone — it never fails the CRM write that caused it.
 * After the commit the delivery worker is woken.
 */
@Injectable()
export class CrmEventsListener {
  private readonly logger = new Logger('NotificationRules');

  constructor(private readonly rules: RulesService) {}

  @OnEvent(inTransaction(OPPORTUNITY_STAGE_CHANGED), { promisify: true })
  async onStageChanged({ manager, event }: InTransactionEvent<OpportunityStageChangedEvent>): Promise<void> {
    const occurrence = stageChangeOccurrence(event);
    if (occurrence) await this.enqueue(manager, occurrence);
  }

  @OnEvent(inTransaction(OPPORTUNITY_CLOSE_DATE_SLIPPED), { promisify: true })
  async onCloseDateSlipped({ manager, event }: InTransactionEvent<OpportunityCloseDateSlippedEvent>): Promise<void> {
    await this.enqueue(manager, slipOccurrence(event));
  }

  @OnEvent(OPPORTUNITY_STAGE_CHANGED)
  @OnEvent(OPPORTUNITY_CLOSE_DATE_SLIPPED)
  afterCommit(): void {
    this.rules.ring();
  }

  private async enqueue(manager: EntityManager, occurrence: RuleOccurrence): Promise<void> {
    if ((await this.rules.matchingWithin(manager, occurrence)).length === 0) return;
    await manager.query('SAVEPOINT notification_rules');
    try {
      await this.rules.enqueueWithin(manager, occurrence);
      await manager.query('RELEASE SAVEPOINT notification_rules');
    } catch (error) {
      await manager.query('ROLLBACK TO SAVEPOINT notification_rules');
      this.logger.error({ err: error, tenantId: occurrence.tenantId, event: occurrence.event }, 'rule notifications were not enqueued');
    }
  }
}
