import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAppRoleAndTenants1764200000000 implements MigrationInterface {
  name = 'CreateAppRoleAndTenants1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    // Roles are cluster-wide: another database of the same cluster may have created it already.
    await runner.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sales_app') THEN
          CREATE ROLE sales_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
        EXECUTE format('GRANT sales_app TO %I', current_user);
      END
      $$;
    `);
    await runner.query(`GRANT USAGE ON SCHEMA public TO sales_app`);
    await runner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO sales_app`);
    await runner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO sales_app`);
    await runner.query(`
      CREATE TABLE tenants (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now()
      )
    `);
    await runner.query(`GRANT SELECT, INSERT ON tenants TO sales_app`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE tenants`);
    await runner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM sales_app`);
    await runner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM sales_app`);
    await runner.query(`REVOKE USAGE ON SCHEMA public FROM sales_app`);
  }
}
