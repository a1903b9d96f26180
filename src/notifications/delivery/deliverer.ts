import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantDb } from '../../database/tenant-db.js';
import type { DestinationRow } from '../destinations/destinations.repository.js';
import type { NotificationRow } from '../notifications.repository.js';
import { retryDelayMs } from './backoff.js';
import { DeliveryRepository } from './delivery.repository.js';
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
    const { tenantId, notificationId, attempt } = message;
    const { notification, destination } = await this.deliveries.load(manager, tenantId, notificationId);
    if (!notification || notification.status !== 'pending') {
      await this.outbox.remove(manager, message);
      return undefined;
    }
    if (attempt > message.maxAttempts) {
      // The last allowed attempt's worker died before reporting: no attempts left, dead-letter it.
      await this.deliveries.abandonUnfinished(manager, tenantId, notificationId);
      if (await this.outbox.remove(manager, message)) {
        await this.deliveries.markDead(manager, tenantId, notificationId, attempt - 1, 'the final attempt ended without an outcome');
      }
      return undefined;
    }
    await this.deliveries.startAttempt(manager, tenantId, notificationId, attempt, workerId);
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
    const { tenantId, notificationId, attempt } = message;
    await this.deliveries.finishAttempt(manager, tenantId, notificationId, attempt, result);
    let leaseHeld: boolean;
    if (result.outcome === 'delivered') {
      leaseHeld = await this.outbox.remove(manager, message);
      if (leaseHeld) await this.deliveries.markDelivered(manager, tenantId, notificationId, attempt);
    } else if (result.retryable && attempt < message.maxAttempts) {
      const delayMs = retryDelayMs(attempt, message.retryBaseMs, message.retryMaxMs);
      leaseHeld = await this.outbox.reschedule(manager, message, delayMs);
      if (leaseHeld) await this.deliveries.markRetry(manager, tenantId, notificationId, attempt, result.error ?? 'failed', delayMs);
    } else {
      leaseHeld = await this.outbox.remove(manager, message);
      if (leaseHeld) await this.deliveries.markDead(manager, tenantId, notificationId, attempt, result.error ?? 'failed');
    }
    // Only possible when a delivery outlived its lease (NOTIFY_LEASE_SECONDS vs the timeout): the
    // new holder decides the status; this attempt stays on record.
    if (!leaseHeld) this.logger.warn(`lease on notification ${notificationId} was lost before attempt ${attempt} was acknowledged`);
  }
}
