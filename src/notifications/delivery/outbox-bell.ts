import { Injectable } from '@nestjs/common';

/**
 * Wakes this instance's worker early: when a notification was just enqueued here, or a delivery
 * slot freed up. Other instances find new work by polling. A ring while nobody waits is kept, so
 * a message committed during a claim query is not left for the next poll.
 */
@Injectable()
export class OutboxBell {
  private waiters: (() => void)[] = [];
  private rung = false;

  ring(): void {
    if (this.waiters.length === 0) {
      this.rung = true;
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves on the next ring, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.rung) {
      this.rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.push(wake);
    });
  }
}
