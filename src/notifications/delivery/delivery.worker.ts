import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig, NotificationsConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { Deliverer } from './deliverer.js';
import { OutboxBell } from './outbox-bell.js';
import { OutboxRepository } from './outbox.repository.js';

/**
 * The outbox worker of this instance: claims due messages (leased, so instances never deliver
 * the same one concurrently), delivers up to NOTIFY_WORKER_CONCURRENCY at once, and on shutdown
 * stops claiming, lets in-flight deliveries finish and hands back anything it still holds.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Recorded on each attempt, so an operator can tell which instance delivered what. */
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger('NotificationWorker');
  private readonly settings: NotificationsConfig['worker'];
  private readonly allowLocalHosts: string[];
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly deliverer: Deliverer,
    private readonly bell: OutboxBell,
  ) {
    this.settings = config.notifications.worker;
    this.allowLocalHosts = config.notifications.egress.allowLocalHosts;
  }

  onApplicationBootstrap(): void {
    if (!this.settings.enabled) return;
    this.running = true;
    this.loop = this.run();
  }

  // Before, not on, application shutdown: the HTTP server and the database pool (closed in
  // TypeORM's onApplicationShutdown) are still open while the last acknowledgements are written.
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.loop) return;
    this.running = false;
    this.bell.ring();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    const released = await this.outbox.releaseOwned(this.workerId).catch((error: unknown) => {
      this.logger.warn(`could not release leases: ${(error as Error).message}`);
      return 0;
    });
    if (released > 0) this.logger.log(`released ${released} leased notification(s)`);
  }

  private async run(): Promise<void> {
    // Claim in batches: with deliveries in flight, wait until a quarter of the slots are free, so
    // that each claim transaction serves several messages rather than one.
    const batch = Math.ceil(this.settings.concurrency / 4);
    while (this.running) {
      const free = this.settings.concurrency - this.inFlight.size;
      const worthClaiming = free >= batch || this.inFlight.size === 0;
      const claimed = worthClaiming ? await this.claim(free) : 0;
      // A full batch means more may be due: go again at once (the next pass waits if slots are full).
      if (!worthClaiming || claimed < free) await this.bell.wait(this.settings.pollIntervalMs);
    }
  }

  private async claim(limit: number): Promise<number> {
    try {
      const messages = await this.outbox.claim(this.workerId, limit, this.settings.leaseMs, this.allowLocalHosts);
      for (const message of messages) {
        this.track(
          this.deliverer.deliver(message, this.workerId).catch((error: unknown) => {
            // The lease stays; the message comes back when it runs out.
            this.logger.error({ err: error, notificationId: message.notificationId }, 'delivery failed to record');
          }),
        );
      }
      return messages.length;
    } catch (error) {
      this.logger.warn(`claiming notifications failed: ${(error as Error).message}`);
      return 0;
    }
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => {
      this.inFlight.delete(delivery);
      this.bell.ring();
    });
  }
}
