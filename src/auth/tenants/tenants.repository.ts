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

  async exists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM tenants WHERE id = $1', [id]);
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
