import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AuthError } from '../auth.errors.js';
import { TenantsRepository } from './tenants.repository.js';

// Known tenants are remembered briefly so the hot path does not query Postgres on every request;
// unknown ones are never cached, so a tenant created a moment ago is accepted at once.
const KNOWN_TTL_MS = 30_000;
const MAX_CACHED = 10_000;

@Injectable()
export class TenantsService {
  private readonly logger = new Logger('Tenants');
  private readonly known = new Map<string, number>();

  constructor(
    private readonly repository: TenantsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Throws 403 unknown_tenant unless the tenant exists (or auto-provisioning creates it). */
  async assertKnown(tenantId: string): Promise<void> {
    const cachedUntil = this.known.get(tenantId);
    if (cachedUntil !== undefined && cachedUntil > Date.now()) return;
    if (await this.repository.exists(tenantId)) return this.remember(tenantId);
    if (!this.config.tenants.autoProvision) throw AuthError.unknownTenant();
    if (await this.repository.create(tenantId, tenantId)) this.logger.log(`auto-provisioned tenant ${tenantId}`);
    this.remember(tenantId);
  }

  create(id: string, name: string): Promise<boolean> {
    return this.repository.create(id, name);
  }

  private remember(tenantId: string): void {
    if (this.known.size >= MAX_CACHED) this.known.clear();
    this.known.set(tenantId, Date.now() + KNOWN_TTL_MS);
  }
}
