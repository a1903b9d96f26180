import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: one row per MCP tool call, resource read and prompt get, per seed RPC call and
 * per REST write. Append-only for the application (no UPDATE/DELETE grant), tenant-owned with
 * forced row-level security like every other tenant table. Arguments are kept only as a SHA-256
 * digest; tokens and secrets never reach this table.
 */
export class CreateAuditLog1764600000000 implements MigrationInterface {
  name = 'CreateAuditLog1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE audit_log (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        occurred_at timestamptz NOT NULL,
        subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
        client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 500),
        token_id text CHECK (length(token_id) <= 500),
        channel text NOT NULL CHECK (channel IN ('mcp', 'rpc', 'rest')),
        kind text NOT NULL CHECK (kind IN ('tool', 'resource', 'prompt', 'http')),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        args_digest text CHECK (args_digest ~ '^[0-9a-f]{64}$'),
        outcome text NOT NULL CHECK (outcome IN ('ok', 'error', 'denied', 'rejected')),
        error_code text CHECK (length(error_code) <= 100),
        http_status smallint CHECK (http_status BETWEEN 100 AND 599),
        latency_ms double precision NOT NULL CHECK (latency_ms >= 0),
        request_id text CHECK (length(request_id) <= 128),
        PRIMARY KEY (tenant_id, id)
      )`);
    await runner.query(`CREATE INDEX audit_log_time ON audit_log (tenant_id, occurred_at DESC, id DESC)`);
    await runner.query(`CREATE INDEX audit_log_subject ON audit_log (tenant_id, subject, occurred_at DESC)`);
    await runner.query(`CREATE INDEX audit_log_client ON audit_log (tenant_id, client_id, occurred_at DESC)`);
    await runner.query(`CREATE INDEX audit_log_name ON audit_log (tenant_id, name, occurred_at DESC)`);
    await runner.query(`ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY`);
    await runner.query(`ALTER TABLE audit_log FORCE ROW LEVEL SECURITY`);
    // Unset or empty tenant setting → NULL → no row matches: fail closed.
    await runner.query(`
      CREATE POLICY tenant_isolation ON audit_log
        USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''))
        WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''))`);
    // Default privileges grant SELECT/INSERT/UPDATE/DELETE to sales_app; an audit trail is append-only.
    await runner.query(`REVOKE UPDATE, DELETE ON audit_log FROM sales_app`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit_log`);
  }
}
