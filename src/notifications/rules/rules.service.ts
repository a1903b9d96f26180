import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import { TenantDb } from '../../database/tenant-db.js';
import { OutboxBell } from '../delivery/outbox-bell.js';
import { DestinationsRepository } from '../destinations/destinations.repository.js';
import { NotificationEnqueuer } from '../notification-enqueuer.js';
import { NotificationsError, NotificationsErrorReason } from '../notifications.errors.js';
import { isUniqueViolation, iso } from '../sql.js';
import { RULE_UNIQUE_CONSTRAINT, type RuleRow, RulesRepository } from './rules.repository.js';
import type { CreateRuleInput, RuleEvent, RuleView } from './rules.schemas.js';

/** One CRM occurrence as a notification: `key` identifies the occurrence, so a repeat is ignored. */
export interface RuleOccurrence {
  tenantId: string;
  event: RuleEvent;
  key: string;
  actor: string;
  subject: string;
  text: string;
  severity: 'info' | 'warning' | 'critical';
  data: Record<string, unknown>;
}

function toRuleView(row: RuleRow): RuleView {
  return { id: row.id, event: row.event, destination: { id: row.destination_id, name: row.destination_name }, enabled: row.enabled, createdAt: iso(row.created_at)! };
}

/** The tenant's rules (scope notifications:manage), and their firing on CRM events. */
type MatchingDestination = Awaited<ReturnType<RulesRepository['matching']>>[number];

@Injectable()
export class RulesService {
  /** Per transaction (its EntityManager, gone with it): the tenant is fixed within one. */
  private readonly matchingByTransaction = new WeakMap<EntityManager, Map<RuleEvent, Promise<MatchingDestination[]>>>();

  constructor(
    private readonly db: TenantDb,
    private readonly rules: RulesRepository,
    private readonly destinations: DestinationsRepository,
    private readonly enqueuer: NotificationEnqueuer,
    private readonly bell: OutboxBell,
  ) {}

  list(principal: Principal): Promise<RuleView[]> {
    return this.db.run(principal.tenantId, async (manager) => (await this.rules.list(manager, principal.tenantId)).map(toRuleView));
  }

  async create(principal: Principal, input: CreateRuleInput): Promise<RuleView> {
    try {
      return await this.db.run(principal.tenantId, async (manager) => {
        const destination = await this.destinations.findByRef(manager, principal.tenantId, input.destination);
        if (!destination) throw NotificationsError.notFound('Destination');
        return toRuleView(await this.rules.insert(manager, principal.tenantId, input.event, destination, input.enabled));
      });
    } catch (error) {
      if (!isUniqueViolation(error, RULE_UNIQUE_CONSTRAINT)) throw error;
      throw new NotificationsError('conflict', NotificationsErrorReason.RuleExists, 'That event already goes to that destination');
    }
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const deleted = await this.db.run(principal.tenantId, (manager) => this.rules.delete(manager, principal.tenantId, id));
    if (!deleted) throw NotificationsError.notFound('Rule');
  }

  /**
   * Enqueues one notification per matching rule inside the caller's transaction — the CRM write
   * that caused the occurrence (crm.events.ts), so the notification exists if and only if the
   * change committed. Rule notifications do not count against the send rate limit: the tenant
   * configured them, and CRM writes bound them. Returns how many were enqueued (a repeated
   * occurrence enqueues none). The delivery worker is woken after commit (`ring`).
   */
  async enqueueWithin(manager: EntityManager, occurrence: RuleOccurrence): Promise<number> {
    let count = 0;
    for (const destination of await this.matchingWithin(manager, occurrence)) {
      const id = await this.enqueuer.enqueue(manager, destination, {
        source: 'rule',
        eventType: `crm.${occurrence.event}`,
        dedupeKey: `rule:${destination.rule_id}:${occurrence.key}`,
        createdBy: occurrence.actor,
        subject: occurrence.subject,
        text: occurrence.text,
        severity: occurrence.severity,
        data: occurrence.data,
      });
      if (id) count++;
    }
    return count;
  }

  /**
   * The rules an occurrence triggers, read once per transaction and event: an import that changes
   * thousands of deals asks once, and a tenant without rules costs one query per event type.
   */
  async matchingWithin(manager: EntityManager, occurrence: RuleOccurrence): Promise<MatchingDestination[]> {
    let byEvent = this.matchingByTransaction.get(manager);
    if (!byEvent) this.matchingByTransaction.set(manager, (byEvent = new Map()));
    let matching = byEvent.get(occurrence.event);
    if (!matching) byEvent.set(occurrence.event, (matching = this.rules.matching(manager, occurrence.tenantId, occurrence.event)));
    return matching;
  }

  /** Wakes this instance's delivery worker (after the CRM write committed). */
  ring(): void {
    this.bell.ring();
  }
}
