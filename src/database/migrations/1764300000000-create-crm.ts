import type { MigrationInterface, QueryRunner } from 'typeorm';

const STAGES = `'prospecting','qualification','proposal','negotiation','closed_won','closed_lost'`;
const FORECAST_CATEGORIES = `'pipeline','best_case','commit','closed','omitted'`;
const TENANT_TABLES = ['accounts', 'contacts', 'opportunities', 'opportunity_stage_history', 'activities'];

/**
 * The CRM model. Every table is tenant-owned: `tenant_id` leads the primary key and every index,
 * foreign keys between CRM tables are composite `(tenant_id, id)` so a row can never point into
 * another tenant, and row-level security (forced, so even the owner is subject to it) is the
 * second wall behind the repositories' own tenant filters.
 */
export class CreateCrm1764300000000 implements MigrationInterface {
  name = 'CreateCrm1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    // Trusted extensions (PG13+): `q` search is a trigram ILIKE on a GIN index led by tenant_id.
    await runner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await runner.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await runner.query(`
      CREATE TABLE accounts (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        external_id text CHECK (length(external_id) BETWEEN 1 AND 200),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        domain text CHECK (length(domain) <= 253),
        industry text CHECK (length(industry) <= 100),
        segment text CHECK (segment IN ('enterprise','mid-market','smb')),
        region text CHECK (length(region) <= 100),
        owner text CHECK (length(owner) <= 200),
        version integer NOT NULL DEFAULT 1 CHECK (version > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, external_id)
      )`);
    await runner.query(`CREATE INDEX accounts_keyset ON accounts (tenant_id, created_at, id)`);
    await runner.query(`CREATE INDEX accounts_region_segment ON accounts (tenant_id, region, segment)`);
    await runner.query(`CREATE INDEX accounts_lower_name ON accounts (tenant_id, lower(name))`);
    await runner.query(`CREATE INDEX accounts_name_trgm ON accounts USING gin (tenant_id, name gin_trgm_ops)`);

    await runner.query(`
      CREATE TABLE contacts (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        external_id text CHECK (length(external_id) BETWEEN 1 AND 200),
        account_id uuid,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        email text CHECK (length(email) <= 320),
        title text CHECK (length(title) <= 200),
        version integer NOT NULL DEFAULT 1 CHECK (version > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, external_id),
        FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
      )`);
    await runner.query(`CREATE INDEX contacts_keyset ON contacts (tenant_id, created_at, id)`);
    await runner.query(`CREATE INDEX contacts_account ON contacts (tenant_id, account_id)`);
    // Uniqueness is per tenant (catalog T46): another tenant's contact never blocks this one's.
    await runner.query(`CREATE UNIQUE INDEX contacts_email ON contacts (tenant_id, lower(email))`);
    await runner.query(`CREATE INDEX contacts_name_trgm ON contacts USING gin (tenant_id, name gin_trgm_ops)`);

    await runner.query(`
      CREATE TABLE opportunities (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        external_id text CHECK (length(external_id) BETWEEN 1 AND 200),
        -- Nullable: real exports (Maven, Pipedrive) carry deals without an organisation.
        account_id uuid,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        -- Nullable: an open deal may not be valued yet; money is numeric, never float.
        amount numeric(14,2) CHECK (amount >= 0),
        currency char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
        stage text NOT NULL CHECK (stage IN (${STAGES})),
        probability smallint NOT NULL CHECK (probability BETWEEN 0 AND 100),
        forecast_category text NOT NULL CHECK (forecast_category IN (${FORECAST_CATEGORIES})),
        close_date date,
        owner text CHECK (length(owner) <= 200),
        product text CHECK (length(product) <= 200),
        version integer NOT NULL DEFAULT 1 CHECK (version > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, external_id),
        FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
        -- A deal is closed exactly when it has a closing time.
        CHECK ((stage IN ('closed_won','closed_lost')) = (closed_at IS NOT NULL))
      )`);
    await runner.query(`CREATE INDEX opportunities_keyset ON opportunities (tenant_id, created_at, id)`);
    await runner.query(`CREATE INDEX opportunities_stage_close ON opportunities (tenant_id, stage, close_date)`);
    await runner.query(`CREATE INDEX opportunities_account ON opportunities (tenant_id, account_id)`);
    await runner.query(`CREATE INDEX opportunities_owner ON opportunities (tenant_id, owner, created_at)`);
    await runner.query(`CREATE INDEX opportunities_name_trgm ON opportunities USING gin (tenant_id, name gin_trgm_ops)`);

    await this.createHistoryAndActivities(runner);
    await this.secure(runner);
  }

  private async createHistoryAndActivities(runner: QueryRunner): Promise<void> {
    // One row per change of stage, amount or close date (and one at creation), each carrying the
    // state after the change and the values before it: the sales module rebuilds the pipeline as
    // of any past date (latest row at or before it) and finds slipped deals (close_date > from_close_date).
    await runner.query(`
      CREATE TABLE opportunity_stage_history (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        id bigint GENERATED ALWAYS AS IDENTITY,
        opportunity_id uuid NOT NULL,
        changed_at timestamptz NOT NULL,
        changed_by text NOT NULL CHECK (length(changed_by) <= 300),
        source text NOT NULL CHECK (source IN ('api','import','seed')),
        from_stage text CHECK (from_stage IN (${STAGES})),
        to_stage text NOT NULL CHECK (to_stage IN (${STAGES})),
        from_amount numeric(14,2),
        amount numeric(14,2),
        from_close_date date,
        close_date date,
        probability smallint NOT NULL,
        forecast_category text NOT NULL CHECK (forecast_category IN (${FORECAST_CATEGORIES})),
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id) ON DELETE CASCADE
      )`);
    await runner.query(`CREATE INDEX stage_history_opportunity ON opportunity_stage_history (tenant_id, opportunity_id, changed_at)`);
    await runner.query(`CREATE INDEX stage_history_changed_at ON opportunity_stage_history (tenant_id, changed_at)`);

    await runner.query(`
      CREATE TABLE activities (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        external_id text CHECK (length(external_id) BETWEEN 1 AND 200),
        account_id uuid,
        opportunity_id uuid,
        type text NOT NULL CHECK (type IN ('call','email','meeting','note')),
        subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
        body text CHECK (length(body) <= 20000),
        occurred_at timestamptz NOT NULL,
        created_by text NOT NULL CHECK (length(created_by) <= 300),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, external_id),
        FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
        FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id) ON DELETE CASCADE,
        CHECK (account_id IS NOT NULL OR opportunity_id IS NOT NULL)
      )`);
    await runner.query(`CREATE INDEX activities_opportunity ON activities (tenant_id, opportunity_id, occurred_at)`);
    await runner.query(`CREATE INDEX activities_account ON activities (tenant_id, account_id, occurred_at)`);
    await runner.query(`CREATE INDEX activities_keyset ON activities (tenant_id, created_at, id)`);
  }

  private async secure(runner: QueryRunner): Promise<void> {
    for (const table of TENANT_TABLES) {
      await runner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await runner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      // Unset or empty tenant setting → NULL → no row matches: fail closed (catalog T42).
      await runner.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''))
          WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''))`);
    }
    // The default privileges of the first migration grant SELECT/INSERT/UPDATE/DELETE to sales_app;
    // the history is append-only for the application.
    await runner.query(`REVOKE UPDATE, DELETE ON opportunity_stage_history FROM sales_app`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [...TENANT_TABLES].reverse()) await runner.query(`DROP TABLE ${table}`);
    // The extensions stay: other objects may use them, and they hold no data.
  }
}
