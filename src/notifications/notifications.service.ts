import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import type { AppConfig, NotificationsConfig } from '../config/app-config.js';
import { IdempotencyService } from '../common/idempotency/idempotency.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import { TenantDb } from '../database/tenant-db.js';
import { OutboxBell } from './delivery/outbox-bell.js';
import { DestinationsRepository } from './destinations/destinations.repository.js';
import { NotificationEnqueuer } from './notification-enqueuer.js';
import { toNotificationView } from './notification-view.js';
import { NotificationsError, NotificationsErrorReason } from './notifications.errors.js';
import { NotificationsRepository } from './notifications.repository.js';
import type { NotificationView, SendNotificationInput, SendNotificationResult } from './notifications.schemas.js';
import { SendRateLimitRepository } from './send-rate-limit.repository.js';

/** Sending a notification and reading its status (scope notifications:send). REST, MCP and the seed RPC call these. */
@Injectable()
export class NotificationsService {
  private readonly rateLimit: NotificationsConfig['rateLimit'];

  constructor(
    private readonly db: TenantDb,
    private readonly destinations: DestinationsRepository,
    private readonly notifications: NotificationsRepository,
    private readonly sendWindows: SendRateLimitRepository,
    private readonly enqueuer: NotificationEnqueuer,
    private readonly bell: OutboxBell,
    private readonly idempotency: IdempotencyService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.rateLimit = config.notifications.rateLimit;
  }

  /**
   * Accepts a notification for delivery: validates the destination, counts it against the
   * tenant's rate limit, and writes it with its outbox row in one transaction. Delivery is
   * asynchronous; the answer is the id to poll. With an idempotency key, a retry returns the
   * first answer and sends nothing (a replay does not count against the rate limit either).
   */
  async send(principal: Principal, input: SendNotificationInput, options: { idempotencyKey?: string } = {}): Promise<SendNotificationResult> {
    const request = { key: options.idempotencyKey, operation: 'notifications.send', request: input, status: 202 };
    const outcome = await this.idempotency.execute(principal, request, (manager) => this.sendIn(manager, principal, input));
    if (!outcome.replayed) this.bell.ring();
    return outcome.value;
  }

  async get(principal: Principal, id: string): Promise<NotificationView> {
    return this.db.run(principal.tenantId, async (manager) => {
      const row = await this.notifications.find(manager, principal.tenantId, id);
      if (!row) throw NotificationsError.notFound('Notification');
      return toNotificationView(row, await this.notifications.attempts(manager, principal.tenantId, id));
    });
  }

  private async sendIn(manager: EntityManager, principal: Principal, input: SendNotificationInput): Promise<SendNotificationResult> {
    const destination = await this.destinations.findByRef(manager, principal.tenantId, input.destination);
    if (!destination) throw NotificationsError.notFound('Destination');
    if (!destination.enabled) {
      throw new NotificationsError('unprocessable', NotificationsErrorReason.DestinationDisabled, 'The destination is disabled');
    }
    const id = await this.enqueuer.enqueue(manager, destination, {
      source: 'api',
      eventType: 'notification',
      dedupeKey: null,
      createdBy: principal.subject,
      subject: input.subject,
      text: input.text,
      severity: input.severity,
      data: input.data,
    });
    // Counted last, just before the commit: the tenant's window row stays locked only that long
    // (a tenant's concurrent sends queue on it), and an over-limit send rolls back with its writes.
    const window = await this.sendWindows.increment(manager, principal.tenantId, this.rateLimit.windowSeconds);
    if (window.sent > this.rateLimit.limit) {
      throw NotificationsError.rateLimited(window.retryAfterSeconds, this.rateLimit.limit, this.rateLimit.windowSeconds);
    }
    return { id: id!, status: 'pending' };
  }
}
