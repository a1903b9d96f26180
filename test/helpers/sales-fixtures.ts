import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { testDatabaseUrl } from './test-app.js';

export type Stage = 'prospecting' | 'qualification' | 'proposal' | 'negotiation' | 'closed_won' | 'closed_lost';

const PROBABILITY: Record<Stage, number> = { prospecting: 10, qualification: 20, proposal: 50, negotiation: 75, closed_won: 100, closed_lost: 0 };
const CATEGORY: Record<Stage, string> = { prospecting: 'pipeline', qualification: 'pipeline', proposal: 'best_case', negotiation: 'commit', closed_won: 'closed', closed_lost: 'omitted' };

export interface DealEvent {
  /** ISO timestamp (or date = midnight UTC). */
  at: string;
  stage?: Stage;
  amount?: number | null;
  closeDate?: string | null;
}

export interface DealSpec {
  name?: string;
  accountId?: string | null;
  owner?: string | null;
  product?: string | null;
  amount: number | null;
  stage: Stage;
  closeDate: string | null;
  createdAt: string;
  /** Later changes, in order; the deal's final state is the last one's. */
  events?: DealEvent[];
  probability?: number;
}

interface HistoryRow {
  at: string;
  from_stage: Stage | null;
  to_stage: Stage;
  from_amount: number | null;
  amount: number | null;
  from_close_date: string | null;
  close_date: string | null;
  probability: number;
  forecast_category: string;
}

const ts = (value: string) => (value.length === 10 ? `${value}T00:00:00Z` : value);

/**
 * Writes hand-built CRM fixtures as the table owner, inside a transaction bound to the tenant:
 * accounts, deals with their full stage history (one row at creation and one per change, as the
 * CRM writes them) and activities. Known inputs for known answers.
 */
export class SalesFixtures {
  private constructor(private readonly db: DataSource) {}

  static async open(url = testDatabaseUrl()): Promise<SalesFixtures> {
    const db = createDataSource({ url, asAppRole: false, poolSize: 2 });
    await db.initialize();
    return new SalesFixtures(db);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  private run<T>(tenantId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(async (m) => {
      await m.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return work(m);
    });
  }

  async account(tenantId: string, a: { name: string; region?: string | null; segment?: string | null; owner?: string | null }): Promise<string> {
    return this.run(tenantId, async (m) => {
      const [row] = await m.query(`INSERT INTO accounts (tenant_id, name, region, segment, owner) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
        tenantId, a.name, a.region ?? null, a.segment ?? null, a.owner ?? null,
      ]);
      return row.id as string;
    });
  }

  /** Inserts deals (batched in SQL) with their stage history; returns their ids in order. */
  async deals(tenantId: string, specs: DealSpec[]): Promise<string[]> {
    const rows = specs.map((spec, i) => this.toRows(spec, i));
    return this.run(tenantId, async (m) => {
      await m.query(
        `INSERT INTO opportunities (tenant_id, id, account_id, name, amount, stage, probability, forecast_category, close_date, owner, product, created_at, updated_at, closed_at)
         SELECT $1, r.id, r.account_id, r.name, r.amount, r.stage, r.probability, r.forecast_category, r.close_date, r.owner, r.product, r.created_at, r.created_at, r.closed_at
           FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, account_id uuid, name text, amount numeric, stage text, probability int, forecast_category text,
                                                   close_date date, owner text, product text, created_at timestamptz, closed_at timestamptz)`,
        [tenantId, JSON.stringify(rows.map((r) => r.deal))],
      );
      const history = rows.flatMap((r) => r.history.map((h) => ({ ...h, opportunity_id: r.deal.id })));
      await m.query(
        `INSERT INTO opportunity_stage_history (tenant_id, opportunity_id, changed_at, changed_by, source, from_stage, to_stage, from_amount, amount,
                                                from_close_date, close_date, probability, forecast_category)
         SELECT $1, h.opportunity_id, h.at, 'fixture', 'seed', h.from_stage, h.to_stage, h.from_amount, h.amount, h.from_close_date, h.close_date,
                h.probability, h.forecast_category
           FROM jsonb_to_recordset($2::jsonb) AS h(opportunity_id uuid, at timestamptz, from_stage text, to_stage text, from_amount numeric, amount numeric,
                                                   from_close_date date, close_date date, probability int, forecast_category text)`,
        [tenantId, JSON.stringify(history)],
      );
      return rows.map((r) => r.deal.id);
    });
  }

  async activity(tenantId: string, a: { accountId?: string | null; opportunityId?: string | null; occurredAt: string; type?: string; subject: string }): Promise<void> {
    await this.run(tenantId, (m) =>
      m.query(`INSERT INTO activities (tenant_id, account_id, opportunity_id, type, subject, occurred_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'fixture')`, [
        tenantId, a.accountId ?? null, a.opportunityId ?? null, a.type ?? 'call', a.subject, ts(a.occurredAt),
      ]),
    );
  }

  private toRows(spec: DealSpec, k: number) {
    const id = randomUUID();
    let state = { stage: spec.stage, amount: spec.amount, closeDate: spec.closeDate };
    const history: HistoryRow[] = [row(spec.createdAt, null, state, state, spec.probability)];
    for (const event of spec.events ?? []) {
      const next = { stage: event.stage ?? state.stage, amount: event.amount !== undefined ? event.amount : state.amount, closeDate: event.closeDate !== undefined ? event.closeDate : state.closeDate };
      history.push(row(event.at, state.stage, state, next));
      state = next;
    }
    const last = history[history.length - 1];
    const closed = state.stage === 'closed_won' || state.stage === 'closed_lost';
    return {
      deal: {
        id,
        account_id: spec.accountId ?? null,
        name: spec.name ?? `Deal ${k + 1}`,
        amount: state.amount,
        stage: state.stage,
        probability: closed ? PROBABILITY[state.stage] : (spec.probability ?? PROBABILITY[state.stage]),
        forecast_category: CATEGORY[state.stage],
        close_date: state.closeDate,
        owner: spec.owner ?? null,
        product: spec.product ?? null,
        created_at: ts(spec.createdAt),
        closed_at: closed ? ts(last.at) : null,
      },
      history,
    };
  }
}

function row(at: string, fromStage: Stage | null, before: { amount: number | null; closeDate: string | null }, after: { stage: Stage; amount: number | null; closeDate: string | null }, probability?: number): HistoryRow {
  return {
    at: ts(at),
    from_stage: fromStage,
    to_stage: after.stage,
    from_amount: fromStage === null ? null : before.amount,
    amount: after.amount,
    from_close_date: fromStage === null ? null : before.closeDate,
    close_date: after.closeDate,
    probability: probability ?? PROBABILITY[after.stage],
    forecast_category: CATEGORY[after.stage],
  };
}
