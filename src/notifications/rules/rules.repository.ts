import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DestinationRow } from '../destinations/destinations.repository.js';
import { returnedRows } from '../sql.js';
import type { RuleEvent } from './rules.schemas.js';

export interface RuleRow {
  id: string;
  event: RuleEvent;
  destination_id: string;
  destination_name: string;
  enabled: boolean;
  created_at: Date;
}

export const RULE_UNIQUE_CONSTRAINT = 'notification_rules_tenant_id_event_destination_id_key';

/** SQL of notification rules (CRM event → destination). */
@Injectable()
export class RulesRepository {
  list(manager: EntityManager, tenantId: string): Promise<RuleRow[]> {
    return manager.query(
      `SELECT r.id, r.event, r.destination_id, d.name AS destination_name, r.enabled, r.created_at
         FROM notification_rules r JOIN notification_destinations d ON d.tenant_id = r.tenant_id AND d.id = r.destination_id
        WHERE r.tenant_id = $1 ORDER BY r.created_at, r.id`,
      [tenantId],
    );
  }

  async insert(manager: EntityManager, tenantId: string, event: RuleEvent, destination: DestinationRow, enabled: boolean): Promise<RuleRow> {
    const [row]: Omit<RuleRow, 'destination_name'>[] = await manager.query(
      `INSERT INTO notification_rules (tenant_id, event, destination_id, enabled) VALUES ($1, $2, $3, $4)
       RETURNING id, event, destination_id, enabled, created_at`,
      [tenantId, event, destination.id, enabled],
    );
    return { ...row!, destination_name: destination.name };
  }

  async delete(manager: EntityManager, tenantId: string, id: string): Promise<boolean> {
    const result = await manager.query(`DELETE FROM notification_rules WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id]);
    return returnedRows(result).length > 0;
  }

  /** The enabled destinations of the tenant's enabled rules for `event`, with each rule's id. */
  matching(manager: EntityManager, tenantId: string, event: RuleEvent): Promise<(DestinationRow & { rule_id: string })[]> {
    return manager.query(
      `SELECT d.*, r.id AS rule_id
         FROM notification_rules r JOIN notification_destinations d ON d.tenant_id = r.tenant_id AND d.id = r.destination_id
        WHERE r.tenant_id = $1 AND r.event = $2 AND r.enabled AND d.enabled`,
      [tenantId, event],
    );
  }
}
