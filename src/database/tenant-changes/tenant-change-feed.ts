import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import pg from 'pg';
import { MetricsService } from '../../observability/metrics.service.js';

/** The database URL the feed listens on (the app's own). */
export const CHANGE_FEED_DATABASE_URL = Symbol('CHANGE_FEED_DATABASE_URL');

const CHANNEL = 'tenant_data_changed';
/** Tenant suspension and token revocation (payload: the table); see src/auth/migrations. */
const AUTH_CHANNEL = 'auth_changed';
const ALL_TENANTS = '*';
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * Knows, without asking Postgres, whether a tenant's CRM data may have changed since some moment —
 * what lets a cache serve analytics answers with no database round trip and still drop them
 * everywhere as soon as the data changes.
 *
 * Every CRM write statement NOTIFYs `tenant_data_changed` with its tenant at commit (migration
 * 1764900000000); each instance LISTENs on one dedicated connection. A tenant's `version` moves
 * on each notification, and at once on this instance's own writes (`changed`, called by
 * `TenantDb.write` after commit) so a client reads its own writes without waiting for the
 * notification to come back. Other instances see a write when its notification arrives (≈ 1 ms on
 * one host). While the connection is down, notifications may be missed: `version` is undefined
 * (callers must not cache) until it is back, and the reconnect moves every tenant's version.
 */
@Injectable()
export class TenantChangeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TenantChangeFeed');
  private client?: pg.Client;
  private live = false;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = RECONNECT_MIN_MS;
  /** One counter for every event; a tenant's version is its last event, or the last "everything changed" if later. */
  private sequence = 0;
  private everythingChangedAt = 0;
  private readonly changedAt = new Map<string, number>();
  private readonly authListeners: ((table: string) => void)[] = [];

  constructor(
    @Inject(CHANGE_FEED_DATABASE_URL) private readonly url: string,
    @Optional() metrics?: MetricsService,
  ) {
    metrics?.registerGauge('tenant_change_feed_up', '1 while this instance listens for CRM and auth changes (else nothing is cached)', [], (gauge) =>
      gauge.set(this.live ? 1 : 0),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.live = false;
    await this.client?.end().catch(() => undefined);
  }

  /** Moves when the tenant's data may have changed; undefined while changes could go unseen (do not cache then). */
  version(tenantId: string): number | undefined {
    if (!this.live) return undefined;
    return Math.max(this.changedAt.get(tenantId) ?? 0, this.everythingChangedAt);
  }

  /**
   * Calls `listener` with the table (`tenants`, `revoked_tokens`) when auth state changed anywhere,
   * and with `*` after a reconnect (what changed meanwhile is unknown).
   */
  onAuthChange(listener: (table: string) => void): void {
    this.authListeners.push(listener);
  }

  /** This instance changed the tenant's data (after commit). */
  changed(tenantId: string): void {
    if (tenantId === ALL_TENANTS) this.everythingChangedAt = ++this.sequence;
    else this.changedAt.set(tenantId, ++this.sequence);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'sales-analytics-change-feed', keepAlive: true, connectionTimeoutMillis: 3_000 });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL) this.changed(message.payload || ALL_TENANTS);
      else if (message.channel === AUTH_CHANNEL) this.authChanged(message.payload || ALL_TENANTS);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}; LISTEN ${AUTH_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.stopped || this.client !== client) return;
    // Whatever changed while no one listened is unknown: treat it as everything.
    this.changed(ALL_TENANTS);
    this.authChanged(ALL_TENANTS);
    this.live = true;
    this.reconnectDelay = RECONNECT_MIN_MS;
  }

  private authChanged(table: string): void {
    for (const listener of this.authListeners) {
      try {
        listener(table);
      } catch (error) {
        this.logger.error({ err: error }, 'auth change listener failed');
      }
    }
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    const wasLive = this.live;
    this.live = false;
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    if (wasLive) this.logger.warn({ err: error }, 'change feed lost its connection: analytics answers are not cached until it is back');
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
