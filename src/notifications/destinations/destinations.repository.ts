import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '../sql.js';
import type { DestinationType } from './destinations.schemas.js';

export interface DestinationRow {
  tenant_id: string;
  id: string;
  name: string;
  type: DestinationType;
  url: string | null;
  recipients: string[] | null;
  signing_secret: string | null;
  allow_local: boolean;
  enabled: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface NewDestination {
  tenantId: string;
  name: string;
  type: DestinationType;
  url: string | null;
  recipients: string[] | null;
  signingSecret: string | null;
  allowLocal: boolean;
  enabled: boolean;
}

export interface DestinationChanges {
  name?: string;
  url?: string;
  recipients?: string[];
  signingSecret?: string;
  allowLocal?: boolean;
  enabled?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DESTINATION_NAME_CONSTRAINT = 'notification_destinations_tenant_id_name_key';

/** SQL of notification destinations. Every query filters by tenant; RLS is the second wall. */
@Injectable()
export class DestinationsRepository {
  list(manager: EntityManager, tenantId: string): Promise<DestinationRow[]> {
    return manager.query(`SELECT * FROM notification_destinations WHERE tenant_id = $1 ORDER BY name`, [tenantId]);
  }

  /** By id when `ref` is a UUID, else by name. */
  async findByRef(manager: EntityManager, tenantId: string, ref: string): Promise<DestinationRow | undefined> {
    const column = UUID.test(ref) ? 'id' : 'name';
    const rows: DestinationRow[] = await manager.query(
      `SELECT * FROM notification_destinations WHERE tenant_id = $1 AND ${column} = $2`,
      [tenantId, column === 'id' ? ref.toLowerCase() : ref],
    );
    return rows[0];
  }

  async insert(manager: EntityManager, destination: NewDestination): Promise<DestinationRow> {
    const rows: DestinationRow[] = await manager.query(
      `INSERT INTO notification_destinations (tenant_id, name, type, url, recipients, signing_secret, allow_local, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [destination.tenantId, destination.name, destination.type, destination.url, destination.recipients, destination.signingSecret, destination.allowLocal, destination.enabled],
    );
    return rows[0]!;
  }

  /** Applies the changes when `expectedVersion` (if given) is current; undefined when nothing matched. */
  async update(manager: EntityManager, tenantId: string, id: string, changes: DestinationChanges, expectedVersion?: number): Promise<DestinationRow | undefined> {
    const columns: Record<keyof DestinationChanges, string> = {
      name: 'name', url: 'url', recipients: 'recipients', signingSecret: 'signing_secret', allowLocal: 'allow_local', enabled: 'enabled',
    };
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined) as [keyof DestinationChanges, unknown][];
    const sets = entries.map(([key], index) => `${columns[key]} = $${index + 4}`);
    const result = await manager.query(
      `UPDATE notification_destinations SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
        WHERE tenant_id = $1 AND id = $2 AND ($3::int IS NULL OR version = $3) RETURNING *`,
      [tenantId, id, expectedVersion ?? null, ...entries.map(([, value]) => value)],
    );
    return returnedRows<DestinationRow>(result)[0];
  }

  async delete(manager: EntityManager, tenantId: string, id: string): Promise<boolean> {
    const result = await manager.query(`DELETE FROM notification_destinations WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id]);
    return returnedRows(result).length > 0;
  }
}
