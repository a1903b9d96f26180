import { Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import { TenantDb } from '../../database/tenant-db.js';
import type { CandidateForecasts } from '../forecast/forecast-candidates.js';
import { forecastSeries, type ForecastResult } from '../forecast/forecast-engine.js';
import { todayUtc, type ForecastQuery } from '../sales.schemas.js';
import { daysInMonth, monthIndex, monthStart } from '../shared/periods.js';
import { stripUndefined } from '../shared/plain.js';
import { money, type DealFilters } from '../shared/sql-params.js';
import { ForecastRepository } from './forecast.repository.js';
import { selectMethod, type Selection } from './forecast-selection.js';
import { aggregatePeriods, monthsNeeded } from './period-aggregation.js';
import { chartFromForecast } from './forecast-chart.js';
import { describeDrivers, type Driver } from './forecast-drivers.js';
import { finalForecast } from './final-forecast.js';
import { LEARNING_MONTHS, pipelineComponents, type PipelineComponents, type SnapshotCell } from './pipeline-model.js';
import type { ForecastResultView } from '../sales-results.schemas.js';

/** Backtest origins reach back 12 months; each learns from the LEARNING_MONTHS before it. */
const SNAPSHOT_MONTHS = 12 + LEARNING_MONTHS;

interface Loaded {
  months: { month: number; revenue: number; deals: number }[];
  cells: SnapshotCell[];
  unvalued: number;
}

@Injectable()
export class ForecastService {
  constructor(
    private readonly db: TenantDb,
    private readonly repository: ForecastRepository,
  ) {}

  /** The revenue forecast for the periods from asOf on, with its method, reason, accuracy and basis. */
  async forecast(principal: Principal, query: ForecastQuery): Promise<ForecastResultView> {
    const asOf = query.asOf ?? todayUtc();
    const asOfMonth = monthIndex(asOf);
    const filters: DealFilters = { region: query.region, segment: query.segment };
    const hMonths = monthsNeeded(asOfMonth, query.interval, query.horizon);
    const data = await this.load(principal.tenantId, filters, asOf, query.method !== 'timeseries');
    const complete = data.months.filter((m) => m.month < asOfMonth);
    const actuals = new Map(data.months.map((m) => [m.month, m.revenue]));
    const tsOrigins = new Map<number, CandidateForecasts>();
    const ts = forecastSeries(complete.map((m) => m.revenue), {
      horizon: hMonths,
      onBacktestForecast: (origin, forecasts) => tsOrigins.set(origin, forecasts),
    });
    const firstMonth = (complete[0]?.month ?? asOfMonth) + ts.history.leadingZerosTrimmed;
    const y = complete.slice(ts.history.leadingZerosTrimmed).map((m) => m.revenue);
    const revenue = new Map(complete.map((m) => [m.month, m.revenue]));
    const selection = selectMethod({ requested: query.method, y, firstMonth, ts, tsOrigins, cells: data.cells, revenue, hMonths });
    const remaining = 1 - (Number(asOf.slice(8, 10)) - 1) / daysInMonth(asOfMonth);
    const live = data.cells.length > 0 ? pipelineComponents(data.cells, revenue, asOfMonth, hMonths, true) : null;
    const { monthly, openPipeline, widening, warnings } = finalForecast({ selection, ts, y, hMonths, live, remaining });
    const periods = aggregatePeriods({ asOfMonth, interval: query.interval, horizon: query.horizon, monthly, actuals, openPipeline });
    const drivers = live && selection.method !== 'timeseries' ? await this.drivers(principal.tenantId, filters, asOf, live, hMonths) : [];
    return {
      asOf,
      interval: query.interval,
      horizon: query.horizon,
      filters: stripUndefined(filters),
      method: selection.method,
      model: selection.model,
      reason: selection.reason,
      periods,
      backtest: { horizonMonths: hMonths, measure: 'rolling origin: MASE (vs in-sample seasonal naive), sMAPE %, share of actual months inside the 80%/95% intervals', rows: selection.rows },
      intervalWidening: widening,
      basis: this.basis(data, complete, ts, live, firstMonth, asOfMonth),
      drivers,
      warnings: [...ts.warnings, ...warnings, ...this.pipelineWarnings(selection, data, live)],
      history: complete.slice(-36).map((m) => ({ month: monthStart(m.month).slice(0, 7), revenue: money(m.revenue) })),
    };
  }

  /** The same forecast drawn as an SVG chart. */
  async forecastSvg(principal: Principal, query: ForecastQuery): Promise<string> {
    return chartFromForecast(await this.forecast(principal, query));
  }

  private async load(tenantId: string, filters: DealFilters, asOf: string, withPipeline: boolean): Promise<Loaded> {
    return this.db.run(tenantId, async (manager) => {
      const rows = await this.repository.monthlyRevenue(manager, tenantId, filters, asOf);
      const snapshots = withPipeline
        ? await this.repository.snapshots(manager, tenantId, filters, asOf, monthStart(monthIndex(asOf) - SNAPSHOT_MONTHS))
        : [];
      return {
        months: rows.map((r) => ({ month: monthIndex(r.month), revenue: Number(r.revenue), deals: r.deals })),
        cells: snapshots.map((r) => ({
          refMonth: r.ref_month,
          atAsOf: r.at_as_of,
          stage: r.stage,
          bucket: r.bucket,
          wonOffset: r.won_offset,
          deals: r.deals,
          amount: Number(r.amount),
          amountSq: Number(r.amount_sq),
          wonAmount: Number(r.won_amount),
        })),
        unvalued: snapshots.filter((r) => r.at_as_of).reduce((s, r) => s + r.unvalued, 0),
      };
    });
  }

  private async drivers(tenantId: string, filters: DealFilters, asOf: string, live: PipelineComponents, hMonths: number): Promise<Driver[]> {
    return this.db.run(tenantId, (manager) => describeDrivers(this.repository, manager, tenantId, filters, asOf, live, hMonths));
  }

  private basis(data: Loaded, complete: Loaded['months'], ts: ForecastResult, live: PipelineComponents | null, firstMonth: number, asOfMonth: number) {
    const used = complete.filter((m) => m.month >= firstMonth);
    return {
      monthsOfHistory: used.length,
      firstMonth: used.length ? monthStart(firstMonth).slice(0, 7) : null,
      lastCompleteMonth: used.length ? monthStart(asOfMonth - 1).slice(0, 7) : null,
      closedWonDeals: data.months.reduce((s, m) => s + m.deals, 0),
      closedWonRevenue: money(data.months.reduce((s, m) => s + m.revenue, 0)),
      lastYearGrowth: ts.history.lastYearGrowth,
      openDeals: live?.openDeals ?? null,
      openPipelineAmount: live ? money(live.openAmount) : null,
      pipelineSnapshots: live?.snapshots ?? 0,
    };
  }

  private pipelineWarnings(selection: Selection, data: Loaded, live: PipelineComponents | null): string[] {
    const out: string[] = [];
    if (live && data.unvalued > 0 && selection.method !== 'timeseries') out.push(`${data.unvalued} open deal(s) have no amount and add nothing to the pipeline forecast`);
    if (selection.pipelineNote && selection.method === 'pipeline') out.push(`pipeline method not backtested: ${selection.pipelineNote}`);
    return out;
  }
}
