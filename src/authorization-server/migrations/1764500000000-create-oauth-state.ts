import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * State of the embedded authorization server (oidc-provider models: registered clients, grants,
 * codes, refresh tokens, sessions, interactions), one row per model instance. Not tenant-owned:
 * a grant names its tenant only through the account or client it belongs to, so no RLS here.
 */
export class CreateOauthState1764500000000 implements MigrationInterface {
  name = 'CreateOauthState1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE oauth_state (
        model text NOT NULL,
        id text NOT NULL,
        payload jsonb NOT NULL,
        grant_id text,
        uid text,
        user_code text,
        expires_at timestamptz,
        PRIMARY KEY (model, id)
      )
    `);
    await runner.query(`CREATE INDEX oauth_state_grant_id_idx ON oauth_state (grant_id) WHERE grant_id IS NOT NULL`);
    await runner.query(`CREATE INDEX oauth_state_uid_idx ON oauth_state (model, uid) WHERE uid IS NOT NULL`);
    await runner.query(`CREATE INDEX oauth_state_user_code_idx ON oauth_state (model, user_code) WHERE user_code IS NOT NULL`);
    await runner.query(`CREATE INDEX oauth_state_expires_at_idx ON oauth_state (expires_at) WHERE expires_at IS NOT NULL`);
    await runner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON oauth_state TO sales_app`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE oauth_state`);
  }
}
