import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { TenantReadCache } from '../../database/tenant-changes/tenant-read-cache.js';
import type { Principal } from '../../auth/principal.js';
import { TenantDb } from '../../database/tenant-db.js';
import type { ForecastResultView } from '../sales-results.schemas.js';
import { todayUtc, type ForecastQuery } from '../sales.schemas.js';
import { monthIndex, monthStart } from '../shared/periods.js';
import { stripUndefined } from '../shared/plain.js';
import { money, type DealFilters } from '../shared/sql-params.js';
import { chartFromForecast } from './forecast-chart.js';
import { describeDrivers, type Driver } from './forecast-drivers.js';
import { runForecastModel, type ModelOutput, type MonthFacts } from './forecast-model.js';
import { ForecastRepository, idRanges, SNAPSHOT_KIND, DEFAULT_SNAPSHOT_TIMEOUT_MS, type MonthRow, type SnapshotRow } from './forecast.repository.js';
import { LEARNING_MONTHS, type PipelineComponents, type SnapshotCell } from './pipeline-model.js';
import { SnapshotCache } from './snapshot-cache.js';

/** Backtest origins reach back 12 months; each learns from the LEARNING_MONTHS before it. */
const SNAPSHOT_MONTHS = 12 + LEARNING_MONTHS;
/** Slices of a tenant's deals whose snapshots are computed side by side (one core each). */
const SNAPSHOT_SLICES = 2;
const MEASURE = 'rolling origin: MASE (vs in-sample seasonal naive), sMAPE %, share of actual months inside the 80%/95% intervals';

interface Loaded {
  months: MonthFacts[];
  reference: MonthFacts[] | null;
  cells: SnapshotCell[];
  unvalued: number;
  /** Set when the pipeline could not be rebuilt in time (the forecast then uses the time series only). */
  pipelineTimedOut: boolean;
  snapshotTimeoutMs: number;
}

@Injectable()
export class ForecastService {
  private readonly snapshotCache = new SnapshotCache();

  private readonly snapshotTimeoutMs: number;

  constructor(
    private readonly db: TenantDb,
    private readonly repository: ForecastRepository,
    private readonly cache: TenantReadCache,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
  ) {
    this.snapshotTimeoutMs = config?.forecast.snapshotTimeoutMs ?? DEFAULT_SNAPSHOT_TIMEOUT_MS;
  }

  /** The revenue forecast for the periods from asOf on, with its method, reason, accuracy and basis. Cached until the tenant's CRM data changes (TenantReadCache). */
  forecast(principal: Principal, query: ForecastQuery): Promise<ForecastResultView> {
    return this.cache.get(principal.tenantId, JSON.stringify(['forecast', query, todayUtc()]), () => this.computeForecast(principal, query));
  }

  private async computeForecast(principal: Principal, query: ForecastQuery): Promise<ForecastResultView> {
    const asOf = query.asOf ?? todayUtc();
    const filters: DealFilters = { region: query.region, segment: query.segment };
    const data = await this.load(principal.tenantId, filters, asOf, query.method !== 'timeseries');
    const out = runForecastModel({ requested: query.method, interval: query.interval, horizon: query.horizon, asOf, ...data });
    const drivers = out.live && out.selection.method !== 'timeseries' ? await this.drivers(principal.tenantId, filters, asOf, out.live, out.hMonths) : [];
    return {
      asOf,
      interval: query.interval,
      horizon: query.horizon,
      filters: stripUndefined(filters),
      method: out.selection.method,
      model: out.selection.model,
      reason: out.selection.reason,
      periods: out.periods,
      backtest: { horizonMonths: out.hMonths, measure: MEASURE, rows: out.selection.rows },
      intervalWidening: out.widening,
      basis: basis(data, out),
      drivers,
      warnings: [...out.warnings, ...pipelineWarnings(out, data)],
      history: out.complete.slice(-36).map((m) => ({ month: monthStart(m.month).slice(0, 7), revenue: money(m.revenue) })),
    };
  }

  /** The same forecast drawn as an SVG chart. */
  async forecastSvg(principal: Principal, query: ForecastQuery): Promise<string> {
    return chartFromForecast(await this.forecast(principal, query));
  }

  private async load(tenantId: string, filters: DealFilters, asOf: string, withPipeline: boolean): Promise<Loaded> {
    const [monthly, snapshots] = await Promise.all([
      this.db.run(tenantId, async (manager) => ({
        rows: await this.repository.monthlyRevenue(manager, tenantId, filters, asOf),
        // A region's or segment's seasonality is estimated from all deals (pooled), far less noisy.
        reference: isFiltered(filters) ? await this.repository.monthlyRevenue(manager, tenantId, {}, asOf) : null,
      })),
      withPipeline ? this.snapshots(tenantId, filters, asOf).catch(timedOut) : Promise.resolve([]),
    ]);
    const rows = snapshots ?? [];
    return {
      months: monthly.rows.map(toFacts),
      reference: monthly.reference?.map(toFacts) ?? null,
      cells: rows.map(toCell),
      unvalued: rows.filter((r) => r.kind === SNAPSHOT_KIND.asOf).reduce((s, r) => s + r.unvalued, 0),
      pipelineTimedOut: snapshots === null,
      snapshotTimeoutMs: this.snapshotTimeoutMs,
    };
  }

  /**
   * The pipeline snapshots, from the cache while the tenant's history has not grown; else computed
   * in SNAPSHOT_SLICES slices of the deals side by side (one pass over the history each) and merged.
   */
  private async snapshots(tenantId: string, filters: DealFilters, asOf: string): Promise<SnapshotRow[]> {
    const firstRef = monthStart(monthIndex(asOf) - SNAPSHOT_MONTHS);
    const key = JSON.stringify([tenantId, filters.region ?? null, filters.segment ?? null, asOf, firstRef]);
    const version = await this.db.run(tenantId, (manager) => this.repository.historyVersion(manager, tenantId));
    const cached = this.snapshotCache.get(key, version);
    if (cached) return cached;
    const slices = await Promise.all(
      idRanges(SNAPSHOT_SLICES).map((ids) => this.db.run(tenantId, (manager) => this.repository.snapshots(manager, tenantId, filters, asOf, firstRef, ids, this.snapshotTimeoutMs))),
    );
    const rows = mergeSnapshots(slices.flat());
    this.snapshotCache.set(key, version, rows);
    return rows;
  }

  private async drivers(tenantId: string, filters: DealFilters, asOf: string, live: PipelineComponents, hMonths: number): Promise<Driver[]> {
    return this.db.run(tenantId, (manager) => describeDrivers(this.repository, manager, tenantId, filters, asOf, live, hMonths));
  }
}

/** A snapshot query cancelled by its own statement timeout (Postgres 57014) means: go on without the pipeline. */
function timedOut(error: unknown): null {
  if ((error as { driverError?: { code?: string }; code?: string })?.driverError?.code === '57014' || (error as { code?: string })?.code === '57014') return null;
  throw error;
}

function isFiltered(filters: DealFilters): boolean {
  return filters.region !== undefined || filters.segment !== undefined;
}

function toCell(r: SnapshotRow): SnapshotCell {
  return {
    refMonth: r.ref_month,
    kind: r.kind,
    stage: r.stage,
    bucket: r.bucket,
    wonOffset: r.won_offset,
    deals: r.deals,
    amount: Number(r.amount),
    amountSq: Number(r.amount_sq),
    wonAmount: Number(r.won_amount),
  };
}

/** Sums the slices' rows that share a key (the same month, stage, age bucket and outcome). */
function mergeSnapshots(rows: SnapshotRow[]): SnapshotRow[] {
  const merged = new Map<string, SnapshotRow>();
  for (const row of rows) {
    const key = `${row.ref_month}|${row.kind}|${row.stage}|${row.bucket}|${row.won_offset}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...row });
      continue;
    }
    seen.deals += row.deals;
    seen.unvalued += row.unvalued;
    seen.amount = String(Number(seen.amount) + Number(row.amount));
    seen.amount_sq = String(Number(seen.amount_sq) + Number(row.amount_sq));
    seen.won_amount = String(Number(seen.won_amount) + Number(row.won_amount));
  }
  return [...merged.values()];
}

function toFacts(row: MonthRow): MonthFacts {
  return { month: monthIndex(row.month), revenue: Number(row.revenue), deals: row.deals };
}

function basis(data: Loaded, out: ModelOutput) {
  const used = out.complete.filter((m) => m.month >= out.firstMonth);
  return {
    monthsOfHistory: used.length,
    firstMonth: used.length ? monthStart(out.firstMonth).slice(0, 7) : null,
    lastCompleteMonth: used.length ? monthStart(used[used.length - 1].month).slice(0, 7) : null,
    closedWonDeals: data.months.reduce((s, m) => s + m.deals, 0),
    closedWonRevenue: money(data.months.reduce((s, m) => s + m.revenue, 0)),
    lastYearGrowth: out.ts.history.lastYearGrowth,
    openDeals: out.live?.openDeals ?? null,
    openPipelineAmount: out.live ? money(out.live.openAmount) : null,
    pipelineSnapshots: out.live?.snapshots ?? 0,
  };
}

function pipelineWarnings(out: ModelOutput, data: Loaded): string[] {
  const warnings: string[] = [];
  const pipelineBased = out.selection.method !== 'timeseries';
  if (data.pipelineTimedOut) warnings.push(`rebuilding the pipeline from the stage history took longer than ${data.snapshotTimeoutMs / 1000} s: this forecast uses the time series only (a region or segment filter makes the rebuild smaller)`);
  if (out.live && data.unvalued > 0 && pipelineBased) warnings.push(`${data.unvalued} open deal(s) have no amount and add nothing to the pipeline forecast`);
  if (out.selection.pipelineNote && out.selection.method === 'pipeline') warnings.push(`pipeline method not backtested: ${out.selection.pipelineNote}`);
  return warnings;
}
