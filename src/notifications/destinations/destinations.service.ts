import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { TenantDb } from '../../database/tenant-db.js';
import { checkDestinationUrl, DestinationUrlError, type EgressPolicy } from '../egress/destination-url.js';
import { invalidField, NotificationsError, NotificationsErrorReason } from '../notifications.errors.js';
import { isUniqueViolation } from '../sql.js';
import { toDestinationView } from './destination-view.js';
import { DESTINATION_NAME_CONSTRAINT, type DestinationChanges, type DestinationRow, DestinationsRepository } from './destinations.repository.js';
import type { CreateDestinationInput, DestinationView, UpdateDestinationInput } from './destinations.schemas.js';

/** A webhook signing secret: 256 random bits, Stripe-style prefix so it is recognisable in a vault. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The tenant's notification destinations (scope notifications:manage). */
@Injectable()
export class DestinationsService {
  private readonly egress: EgressPolicy;

  constructor(
    private readonly db: TenantDb,
    private readonly destinations: DestinationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const { egress, delivery } = config.notifications;
    this.egress = { ...egress, timeoutMs: delivery.timeoutMs };
  }

  list(principal: Principal): Promise<DestinationView[]> {
    return this.db.run(principal.tenantId, async (manager) =>
      (await this.destinations.list(manager, principal.tenantId)).map((row) => toDestinationView(row)),
    );
  }

  async get(principal: Principal, id: string): Promise<DestinationView> {
    return toDestinationView(await this.load(principal.tenantId, id));
  }

  async create(principal: Principal, input: CreateDestinationInput): Promise<DestinationView> {
    if (input.type === 'email' && !this.config.notifications.smtp) {
      throw new NotificationsError('unprocessable', NotificationsErrorReason.EmailNotConfigured, 'E-mail delivery is not configured on this server (SMTP_URL)');
    }
    const checked = input.type === 'email' ? undefined : await this.checkUrl(input.url, input.type);
    const signingSecret = input.type === 'webhook' ? newSigningSecret() : null;
    const row = await this.uniqueName(() =>
      this.db.run(principal.tenantId, (manager) =>
        this.destinations.insert(manager, {
          tenantId: principal.tenantId,
          name: input.name,
          type: input.type,
          url: checked?.url ?? null,
          recipients: input.type === 'email' ? input.recipients : null,
          signingSecret,
          allowLocal: checked?.allowLocal ?? false,
          enabled: input.enabled,
        }),
      ),
    );
    return toDestinationView(row, signingSecret ?? undefined);
  }

  async update(principal: Principal, id: string, input: UpdateDestinationInput): Promise<DestinationView> {
    const current = await this.load(principal.tenantId, id);
    const changes = await this.changesFor(current, input);
    const row = await this.uniqueName(() =>
      this.db.run(principal.tenantId, (manager) => this.destinations.update(manager, principal.tenantId, id, changes, input.version)),
    );
    if (!row && input.version !== undefined) {
      throw new NotificationsError('conflict', NotificationsErrorReason.StaleVersion, 'The destination changed since that version; reload it and retry');
    }
    if (!row) throw NotificationsError.notFound('Destination');
    return toDestinationView(row, changes.signingSecret);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const deleted = await this.db.run(principal.tenantId, (manager) => this.destinations.delete(manager, principal.tenantId, id));
    if (!deleted) throw NotificationsError.notFound('Destination');
  }

  private async changesFor(current: DestinationRow, input: UpdateDestinationInput): Promise<DestinationChanges> {
    const { url, recipients, rotateSecret } = input;
    if (url !== undefined && current.type === 'email') throw invalidField('body.url', 'does not apply to an e-mail destination');
    if (recipients !== undefined && current.type !== 'email') throw invalidField('body.recipients', `does not apply to a ${current.type} destination`);
    if (rotateSecret && current.type !== 'webhook') throw invalidField('body.rotateSecret', 'applies to webhook destinations only');
    const checked = url !== undefined && current.type !== 'email' ? await this.checkUrl(url, current.type) : undefined;
    return {
      name: input.name,
      enabled: input.enabled,
      recipients,
      url: checked?.url,
      allowLocal: checked?.allowLocal,
      signingSecret: rotateSecret ? newSigningSecret() : undefined,
    };
  }

  private async load(tenantId: string, id: string): Promise<DestinationRow> {
    const row = await this.db.run(tenantId, (manager) => this.destinations.findByRef(manager, tenantId, id));
    if (!row) throw NotificationsError.notFound('Destination');
    return row;
  }

  private async checkUrl(url: string, type: 'webhook' | 'slack') {
    try {
      return await checkDestinationUrl(url, type, this.egress);
    } catch (error) {
      if (error instanceof DestinationUrlError) throw invalidField('body.url', error.message);
      throw error;
    }
  }

  private async uniqueName<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!isUniqueViolation(error, DESTINATION_NAME_CONSTRAINT)) throw error;
      throw new NotificationsError('conflict', NotificationsErrorReason.DestinationNameTaken, 'A destination with that name already exists');
    }
  }
}
