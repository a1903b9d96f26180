import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

export type ReadinessCheck = () => Promise<HealthIndicatorResult>;

/**
 * Other modules register what readiness depends on (e.g. the auth module: signing keys loaded)
 * without the health module knowing their internals.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly registered: ReadinessCheck[] = [];

  register(check: ReadinessCheck): void {
    this.registered.push(check);
  }

  checks(): ReadinessCheck[] {
    return [...this.registered];
  }
}
