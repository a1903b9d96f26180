import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { TenantChangeFeed } from '../../database/tenant-changes/tenant-change-feed.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AuthError } from '../auth.errors.js';
import { TenantsRepository } from './tenants.repository.js';

// Known tenants (and whether they are suspended) are remembered briefly so the hot path does not
// query Postgres on every request; unknown ones are never cached, so a tenant created a moment ago
// is accepted at once. A suspension reaches every instance at once through the change feed; the
// TTL bounds it (catalog T24) when the feed is down.
const KNOWN_TTL_MS = 30_000;
const MAX_CACHED = 10_000;

@Injectable()
export class TenantsService {
  private readonly logger = new Logger('Tenants');
  private readonly known = new Map<string, { until: number; suspended: boolean }>();
  /** Moves on every change notice: a status read before it must not be remembered after it. */
  private generation = 0;

  constructor(
    private readonly repository: TenantsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() changes?: TenantChangeFeed,
  ) {
    changes?.onAuthChange((table) => {
      if (table !== 'tenants' && table !== '*') return;
      this.known.clear();
      this.generation++;
    });
  }

  /** Throws 403 unknown_tenant unless the tenant exists (or auto-provisioning creates it), 403 tenant_suspended if suspended. */
  async assertKnown(tenantId: string): Promise<void> {
    const cached = this.known.get(tenantId);
    if (cached !== undefined && cached.until > Date.now()) {
      if (cached.suspended) throw AuthError.tenantSuspended();
      return;
    }
    const generation = this.generation;
    const status = await this.repository.status(tenantId);
    if (status) {
      if (generation === this.generation) this.remember(tenantId, status.suspended);
      if (status.suspended) throw AuthError.tenantSuspended();
      return;
    }
    if (!this.config.tenants.autoProvision) throw AuthError.unknownTenant();
    if (await this.repository.create(tenantId, tenantId)) this.logger.log(`auto-provisioned tenant ${tenantId}`);
    this.remember(tenantId, false);
  }

  create(id: string, name: string): Promise<boolean> {
    return this.repository.create(id, name);
  }

  private remember(tenantId: string, suspended: boolean): void {
    if (this.known.size >= MAX_CACHED) this.known.clear();
    this.known.set(tenantId, { until: Date.now() + KNOWN_TTL_MS, suspended });
  }
}
