import { Global, Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MetricsServer } from './metrics.server.js';
import { MetricsService } from './metrics.service.js';
import { registerDbPoolGauges, registerOutboxGauges } from './runtime-gauges.js';

/**
 * Metrics for every module (inject MetricsService and call its `record…` methods), served on their
 * own port when METRICS_PORT is set. Request timing is wired in app.factory.ts (it must wrap every
 * middleware); traces are started in main.ts before anything they instrument is loaded.
 */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class ObservabilityModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private readonly server: MetricsServer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly dataSource: DataSource,
  ) {
    this.server = new MetricsServer(metrics);
  }

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.metrics;
    if (!settings) return;
    this.metrics.enableProcessMetrics();
    registerDbPoolGauges(this.metrics, this.dataSource);
    registerOutboxGauges(this.metrics, this.dataSource);
    await this.server.listen(settings.port, settings.host);
    this.logger.log(`metrics on http://${settings.host}:${this.server.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
  }

  /** The metrics listener's port (undefined when metrics are off). */
  get metricsPort(): number | undefined {
    return this.server.port;
  }
}
