import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface TenantRecord {
  id: string;
  name: string;
  createdAt: Date;
}

@Injectable()
export class TenantsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** undefined: no such tenant. */
  async status(id: string): Promise<{ suspended: boolean } | undefined> {
    const rows: { suspended: boolean }[] = await this.dataSource.query('SELECT suspended_at IS NOT NULL AS suspended FROM tenants WHERE id = $1', [id]);
    return rows[0];
  }

  /** Suspends (true) or resumes (false); returns false when there is no such tenant. Owner connections only. */
  async setSuspended(id: string, suspended: boolean): Promise<boolean> {
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, count] rather than the rows.
    const rows: unknown[] = await this.dataSource.query(
      `WITH changed AS (UPDATE tenants SET suspended_at = CASE WHEN $2 THEN coalesce(suspended_at, now()) END WHERE id = $1 RETURNING id) SELECT id FROM changed`,
      [id, suspended],
    );
    return rows.length > 0;
  }

  /** Inserts the tenant unless it exists; returns true when this call created it. */
  async create(id: string, name: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id',
      [id, name],
    );
    return rows.length > 0;
  }
}
