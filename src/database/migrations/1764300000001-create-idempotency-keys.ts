import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys (draft-ietf-httpapi-idempotency-key-header), per tenant + client + key, kept
 * at least 24 h. Postgres is the arbiter: the primary key makes a concurrent duplicate conflict,
 * and the stored response is replayed on a retry. Reused by every module that takes POSTs.
 */
export class CreateIdempotencyKeys1764300000001 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764300000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE idempotency_keys (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        client_id text NOT NULL CHECK (length(client_id) <= 300),
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        operation text NOT NULL CHECK (length(operation) <= 200),
        request_hash text,
        state text NOT NULL CHECK (state IN ('in_flight','completed')),
        claim_token uuid NOT NULL,
        response_status integer,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, client_id, key)
      )`);
    await runner.query(`CREATE INDEX idempotency_keys_expiry ON idempotency_keys (tenant_id, expires_at)`);
    await runner.query(`ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY`);
    await runner.query(`ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY`);
    await runner.query(`
      CREATE POLICY tenant_isolation ON idempotency_keys
        USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''))
        WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE idempotency_keys`);
  }
}
