import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../common/idempotency/idempotency.module.js';
import { Deliverer } from './delivery/deliverer.js';
import { DeliveryRepository } from './delivery/delivery.repository.js';
import { DeliveryWorker } from './delivery/delivery.worker.js';
import { EmailChannel } from './delivery/email-channel.js';
import { HttpChannel } from './delivery/http-channel.js';
import { OutboxBell } from './delivery/outbox-bell.js';
import { OutboxRepository } from './delivery/outbox.repository.js';
import { DestinationsController } from './destinations/destinations.controller.js';
import { DestinationsRepository } from './destinations/destinations.repository.js';
import { DestinationsService } from './destinations/destinations.service.js';
import { NotificationEnqueuer } from './notification-enqueuer.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';
import { NotificationsTools } from './notifications.tools.js';
import { CrmEventsListener } from './rules/crm-events.listener.js';
import { RulesController } from './rules/rules.controller.js';
import { RulesRepository } from './rules/rules.repository.js';
import { RulesService } from './rules/rules.service.js';
import { SendRateLimitRepository } from './send-rate-limit.repository.js';

/**
 * Notifications: destinations each tenant controls, a transactional outbox, and a worker that
 * delivers at least once with a stable event id. Other modules reach it through
 * NotificationsService or CRM domain events, never through its repositories.
 */
@Module({
  imports: [IdempotencyModule],
  // `/notifications/destinations` and `/notifications/rules` are not captured by
  // `/notifications/:id`: Fastify's router prefers a static segment, whatever the order.
  controllers: [DestinationsController, RulesController, NotificationsController],
  providers: [
    DestinationsRepository,
    DestinationsService,
    NotificationsRepository,
    NotificationsService,
    NotificationEnqueuer,
    SendRateLimitRepository,
    OutboxRepository,
    OutboxBell,
    DeliveryRepository,
    Deliverer,
    HttpChannel,
    EmailChannel,
    DeliveryWorker,
    RulesRepository,
    RulesService,
    CrmEventsListener,
    NotificationsTools,
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
