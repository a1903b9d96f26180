import type { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT_POLICY = `tenant_id = NULLIF(current_setting('app.tenant_id', true), '')`;
// The delivery worker claims due rows across tenants in one short transaction that sets
// `app.outbox_worker` locally (notification_outbox only; it holds ids and schedule, no content and
// no secrets). Everything else the worker does runs per message under the message's tenant.
const OUTBOX_POLICY = `${TENANT_POLICY} OR current_setting('app.outbox_worker', true) = 'on'`;
const RLS_TABLES = ['notification_destinations', 'notification_rules', 'notifications', 'notification_attempts', 'notification_send_windows'];

/**
 * Notifications: destinations and rules per tenant, the notifications themselves with their
 * delivery attempts, a transactional outbox the worker claims with FOR UPDATE SKIP LOCKED, and
 * the per-tenant send windows of the rate limit. Row-level security is forced on every table.
 */
export class CreateNotifications1764400000000 implements MigrationInterface {
  name = 'CreateNotifications1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE notification_destinations (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        type text NOT NULL CHECK (type IN ('webhook','slack','email')),
        url text CHECK (length(url) <= 2048),
        recipients text[] CHECK (cardinality(recipients) BETWEEN 1 AND 20),
        signing_secret text,
        -- Set only when the URL's host is on NOTIFY_ALLOW_LOCAL_HOSTS (config), never by a request.
        allow_local boolean NOT NULL DEFAULT false,
        enabled boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1 CHECK (version > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, name),
        CHECK ((type = 'email') = (recipients IS NOT NULL AND url IS NULL)),
        CHECK ((type = 'webhook') = (signing_secret IS NOT NULL))
      )`);
    await runner.query(`
      CREATE TABLE notification_rules (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        event text NOT NULL CHECK (event IN ('opportunity.closed_won','opportunity.closed_lost','opportunity.close_date_slipped')),
        destination_id uuid NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, event, destination_id),
        FOREIGN KEY (tenant_id, destination_id) REFERENCES notification_destinations (tenant_id, id) ON DELETE CASCADE
      )`);
    await this.createNotifications(runner);
    await this.createOutboxAndWindows(runner);
    for (const table of RLS_TABLES) await enableRls(runner, table, TENANT_POLICY);
    await enableRls(runner, 'notification_outbox', OUTBOX_POLICY);
  }

  private async createNotifications(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE notifications (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        id uuid NOT NULL,
        destination_id uuid,
        destination_name text NOT NULL,
        source text NOT NULL CHECK (source IN ('api','rule')),
        event_type text NOT NULL CHECK (length(event_type) <= 100),
        -- A rule-triggered notification is enqueued once per (rule, CRM event), however often the event arrives.
        dedupe_key text CHECK (length(dedupe_key) <= 300),
        created_by text NOT NULL CHECK (length(created_by) <= 300),
        subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
        body text NOT NULL CHECK (length(body) <= 4000),
        severity text NOT NULL CHECK (severity IN ('info','warning','critical')),
        data jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('pending','delivered','dead')),
        attempt_count integer NOT NULL DEFAULT 0,
        last_error text CHECK (length(last_error) <= 500),
        next_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, dedupe_key),
        FOREIGN KEY (tenant_id, destination_id) REFERENCES notification_destinations (tenant_id, id) ON DELETE SET NULL (destination_id)
      )`);
    await runner.query(`CREATE INDEX notifications_created ON notifications (tenant_id, created_at)`);
    await runner.query(`CREATE INDEX notifications_destination ON notifications (tenant_id, destination_id)`);
    await runner.query(`
      CREATE TABLE notification_attempts (
        tenant_id text NOT NULL,
        notification_id uuid NOT NULL,
        attempt integer NOT NULL CHECK (attempt > 0),
        worker_id text NOT NULL CHECK (length(worker_id) <= 200),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        -- NULL while in flight; 'abandoned' when the lease ran out before an outcome was recorded (a crash).
        outcome text CHECK (outcome IN ('delivered','failed','refused','abandoned')),
        http_status integer,
        error text CHECK (length(error) <= 500),
        PRIMARY KEY (tenant_id, notification_id, attempt),
        FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, id) ON DELETE CASCADE
      )`);
  }

  private async createOutboxAndWindows(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE notification_outbox (
        tenant_id text NOT NULL,
        notification_id uuid NOT NULL,
        -- Copied from the destination so instances without an allow-list never claim local-only work.
        allow_local boolean NOT NULL,
        available_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        -- The retry policy travels with the message (as pg-boss does), so every instance applies the same one.
        max_attempts integer NOT NULL CHECK (max_attempts > 0),
        retry_base_ms integer NOT NULL CHECK (retry_base_ms > 0),
        retry_max_ms integer NOT NULL CHECK (retry_max_ms > 0),
        lease_token uuid,
        lease_owner text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, notification_id),
        FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, id) ON DELETE CASCADE
      )`);
    // The claim scans due work across tenants, so this one index deliberately does not lead with tenant_id.
    await runner.query(`CREATE INDEX notification_outbox_due ON notification_outbox (available_at)`);
    await runner.query(`
      CREATE TABLE notification_send_windows (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        window_start timestamptz NOT NULL,
        sent integer NOT NULL CHECK (sent >= 0),
        PRIMARY KEY (tenant_id, window_start)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['notification_send_windows', 'notification_outbox', 'notification_attempts', 'notifications', 'notification_rules', 'notification_destinations']) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}

async function enableRls(runner: QueryRunner, table: string, policy: string): Promise<void> {
  await runner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await runner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await runner.query(`CREATE POLICY tenant_isolation ON ${table} USING (${policy}) WITH CHECK (${policy})`);
}
