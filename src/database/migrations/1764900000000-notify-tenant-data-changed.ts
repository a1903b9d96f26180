import type { MigrationInterface, QueryRunner } from 'typeorm';

const CRM_TABLES = ['accounts', 'contacts', 'opportunities', 'opportunity_stage_history', 'activities'];

/**
 * Every statement that changes a tenant's CRM data sends `NOTIFY tenant_data_changed, '<tenant>'`
 * (delivered at commit, to every instance listening; nothing on rollback), so cached analytics
 * answers can be dropped everywhere at once (src/database/tenant-changes). The tenant is the
 * transaction's `app.tenant_id` — the one the RLS policies already enforce for the app role —
 * and `*` when it is unset (migrations, admin scripts as the owner): every tenant's cache goes.
 * Statement-level, so a 100k-row import sends one notification per statement, and Postgres
 * folds identical notifications of one transaction into one.
 */
export class NotifyTenantDataChanged1764900000000 implements MigrationInterface {
  name = 'NotifyTenantDataChanged1764900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION notify_tenant_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('tenant_data_changed', coalesce(nullif(current_setting('app.tenant_id', true), ''), '*'));
        RETURN NULL;
      END
      $$
    `);
    for (const table of CRM_TABLES) {
      await runner.query(
        `CREATE TRIGGER ${table}_notify_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION notify_tenant_data_changed()`,
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of CRM_TABLES) await runner.query(`DROP TRIGGER ${table}_notify_changed ON ${table}`);
    await runner.query(`DROP FUNCTION notify_tenant_data_changed()`);
  }
}
