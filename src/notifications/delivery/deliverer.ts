import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantDb } from '../../database/tenant-db.js';
import type { DestinationRow } from '../destinations/destinations.repository.js';
import type { NotificationRow } from '../notifications.repository.js';
import { retryDelayMs } from './backoff.js';
import { DeliveryRepository, type Settlement } from './delivery.repository.js';
import { EmailChannel } from './email-channel.js';
import { HttpChannel } from './http-channel.js';
import { type ClaimedMessage, OutboxRepository } from './outbox.repository.js';
import { type ChannelResult, type OutgoingMessage, toOutgoingMessage } from './outgoing-message.js';

interface Prepared {
  notification: NotificationRow;
  destination: DestinationRow;
}

/**
 * Delivers one claimed message: record the attempt, send outside any transaction, then record
 * the outcome and acknowledge (delete, reschedule or dead-letter) in one tenant transaction.
 * Each step runs under the message's own tenant, so row-level security applies throughout.
 */
@Injectable()
export class Deliverer {
  private readonly logger = new Logger('NotificationDelivery');

  constructor(
    private readonly db: TenantDb,
    private readonly deliveries: DeliveryRepository,
    private readonly outbox: OutboxRepository,
    private readonly http: HttpChannel,
    private readonly email: EmailChannel,
  ) {}

  async deliver(message: ClaimedMessage, workerId: string): Promise<void> {
    const prepared = await this.db.run(message.tenantId, (manager) => this.prepare(manager, message, workerId));
    if (!prepared) return;
    const result = await this.send(prepared.destination, toOutgoingMessage(prepared.notification, message.attempt));
    await this.db.run(message.tenantId, (manager) => this.record(manager, message, result));
  }

  private async prepare(manager: EntityManager, message: ClaimedMessage, workerId: string): Promise<Prepared | undefined> {
    const { notification, destination, started } = await this.deliveries.begin(manager, message, workerId);
    if (!notification) return undefined; // deleted with its tenant; the outbox row went with it
    if (notification.status !== 'pending') {
      await this.outbox.remove(manager, message);
      return undefined;
    }
    if (!started) {
      // The last allowed attempt's worker died before reporting: no attempts left.
      await this.deliveries.exhaust(manager, message);
      return undefined;
    }
    if (!destination) {
      await this.record(manager, message, { outcome: 'refused', retryable: false, error: 'the destination was deleted' });
      return undefined;
    }
    return { notification, destination };
  }

  private send(destination: DestinationRow, message: OutgoingMessage): Promise<ChannelResult> {
    // A paused destination keeps its messages pending (retried with backoff) rather than losing them.
    if (!destination.enabled) return Promise.resolve({ outcome: 'failed', retryable: true, error: 'the destination is disabled' });
    switch (destination.type) {
      case 'webhook':
        return this.http.sendWebhook(destination, message);
      case 'slack':
        return this.http.sendSlack(destination, message);
      case 'email':
        return this.email.send(destination, message);
    }
  }

  private async record(manager: EntityManager, message: ClaimedMessage, result: ChannelResult): Promise<void> {
    const held = await this.deliveries.settle(manager, message, result, settlementOf(message, result));
    // Only possible when a delivery outlived its lease (NOTIFY_LEASE_SECONDS vs the timeout): the
    // new holder decides the status; this attempt stays on record.
    if (!held) this.logger.warn(`lease on notification ${message.notificationId} was lost before attempt ${message.attempt} was acknowledged`);
  }
}

export function settlementOf(message: ClaimedMessage, result: ChannelResult): Settlement {
  if (result.outcome === 'delivered') return { status: 'delivered' };
  if (result.retryable && message.attempt < message.maxAttempts) {
    return { status: 'retry', delayMs: retryDelayMs(message.attempt, message.retryBaseMs, message.retryMaxMs) };
  }
  return { status: 'dead' };
}
