import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { DestinationRow } from './destinations/destinations.repository.js';
import { type RetryPolicy, OutboxRepository } from './delivery/outbox.repository.js';

export interface NotificationDraft {
  source: 'api' | 'rule';
  eventType: string;
  dedupeKey: string | null;
  createdBy: string;
  subject: string;
  text: string;
  severity: string;
  data: Record<string, unknown>;
}

/**
 * Writes a notification and its outbox row in the caller's transaction: both commit or neither
 * does, so nothing is sent that was not recorded and nothing recorded is left unsent.
 */
@Injectable()
export class NotificationEnqueuer {
  private readonly policy: RetryPolicy;

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const { maxAttempts, retryBaseMs, retryMaxMs } = config.notifications.delivery;
    this.policy = { maxAttempts, retryBaseMs, retryMaxMs };
  }

  /** The new notification's id (also its event id), or undefined when the dedupe key was used before. */
  async enqueue(manager: EntityManager, destination: DestinationRow, draft: NotificationDraft): Promise<string | undefined> {
    const id = randomUUID();
    const localHost = destination.allow_local && destination.url ? new URL(destination.url).hostname : null;
    const notification = {
      id,
      tenantId: destination.tenant_id,
      destinationId: destination.id,
      destinationName: destination.name,
      source: draft.source,
      eventType: draft.eventType,
      dedupeKey: draft.dedupeKey,
      createdBy: draft.createdBy,
      subject: draft.subject,
      body: draft.text,
      severity: draft.severity,
      data: draft.data,
    };
    if (!(await this.outbox.enqueue(manager, notification, localHost, this.policy))) return undefined;
    return id;
  }
}
