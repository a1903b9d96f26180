import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Controls that act before a token's `exp` (catalog T24): a suspended tenant's tokens get 403
 * `tenant_suspended`, a revoked `jti` gets 401 `invalid_token`. Both tables are administered by
 * the owner (`npm run tenant -- suspend|resume|revoke-token`); the app role only reads them.
 * Every change NOTIFYs `auth_changed` (payload: the table) at commit, so each instance drops what
 * it remembers at once (src/database/tenant-changes); a 30 s re-read bounds it when that fails.
 */
export class TenantSuspensionAndTokenRevocation1765000000000 implements MigrationInterface {
  name = 'TenantSuspensionAndTokenRevocation1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tenants ADD COLUMN suspended_at timestamptz`);
    await runner.query(`
      CREATE TABLE revoked_tokens (
        jti text PRIMARY KEY CHECK (length(jti) BETWEEN 1 AND 255),
        -- Past this the token has expired anyway (now + the longest accepted token lifetime): the row can go.
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NOT NULL DEFAULT now(),
        reason text CHECK (length(reason) <= 500)
      )
    `);
    await runner.query(`GRANT SELECT ON revoked_tokens TO sales_app`);
    await runner.query(`
      CREATE FUNCTION notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('auth_changed', TG_TABLE_NAME);
        RETURN NULL;
      END
      $$
    `);
    await runner.query(`CREATE TRIGGER tenants_notify_auth_changed AFTER UPDATE OR DELETE ON tenants FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed()`);
    await runner.query(
      `CREATE TRIGGER revoked_tokens_notify_auth_changed AFTER INSERT OR UPDATE OR DELETE ON revoked_tokens FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed()`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER revoked_tokens_notify_auth_changed ON revoked_tokens`);
    await runner.query(`DROP TRIGGER tenants_notify_auth_changed ON tenants`);
    await runner.query(`DROP FUNCTION notify_auth_changed()`);
    await runner.query(`DROP TABLE revoked_tokens`);
    await runner.query(`ALTER TABLE tenants DROP COLUMN suspended_at`);
  }
}
