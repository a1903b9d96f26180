import { Injectable } from '@nestjs/common';
import { TenantReadCache } from '../../database/tenant-changes/tenant-read-cache.js';
import type { Principal } from '../../auth/principal.js';
import { TenantDb } from '../../database/tenant-db.js';
import { ForecastService } from '../forecasting/forecast.service.js';
import { todayUtc, type PipelineQuery } from '../sales.schemas.js';
import { monthIndex, monthStart, periodEnd, periodLabel, periodStartMonth } from '../shared/periods.js';
import { round4, stripUndefined } from '../shared/plain.js';
import { money, type DealFilters } from '../shared/sql-params.js';
import { OPEN_STAGES, type OpenStage } from '../win-rates/win-rates.repository.js';
import { WinRatesService } from '../win-rates/win-rates.service.js';
import { AGING_BOUNDS, AGING_LABELS, PipelineRepository, type SlippingRow, type StageCategoryRow } from './pipeline.repository.js';
import type { PipelineResult } from '../sales-results.schemas.js';

const CATEGORIES = ['commit', 'best_case', 'pipeline', 'omitted'] as const;
const SLIPPING_LIMIT = 10;

@Injectable()
export class PipelineService {
  constructor(
    private readonly db: TenantDb,
    private readonly repository: PipelineRepository,
    private readonly winRates: WinRatesService,
    private readonly forecasts: ForecastService,
    private readonly cache: TenantReadCache,
  ) {}

  /** The open pipeline today: by stage and forecast category, weighted, covered, slipping, aging. Cached until the tenant's CRM data changes (TenantReadCache). */
  pipeline(principal: Principal, query: PipelineQuery): Promise<PipelineResult> {
    return this.cache.get(principal.tenantId, JSON.stringify(['pipeline', query, todayUtc()]), () => this.computePipeline(principal, query));
  }

  private async computePipeline(principal: Principal, query: PipelineQuery): Promise<PipelineResult> {
    const today = todayUtc();
    const filters: DealFilters = { region: query.region, segment: query.segment };
    const quarter = periodStartMonth(monthIndex(today), 'quarter');
    const [start, end] = [monthStart(quarter), periodEnd(quarter, 'quarter')];
    const data = await this.db.run(principal.tenantId, async (m) => ({
      rows: await this.repository.byStageAndCategory(m, principal.tenantId, filters, today),
      aging: await this.repository.aging(m, principal.tenantId, filters, today),
      slipping: await this.repository.slipping(m, principal.tenantId, filters, SLIPPING_LIMIT),
      totals: await this.repository.periodTotals(m, principal.tenantId, filters, start, end, today),
      learned: await this.winRates.learnedStageProbabilities(m, principal.tenantId, filters),
    }));
    const forecast = await this.forecasts.forecast(principal, { ...query, interval: 'quarter', horizon: 1, method: 'timeseries' });
    const byStage = stageSummary(data.rows, data.learned);
    const remaining = Math.max(0, forecast.periods[0].point - money(data.totals.closed_won));
    const openInPeriod = money(data.totals.open_in_period);
    return {
      asOf: today,
      filters: stripUndefined(filters),
      totals: totals(byStage),
      byStage,
      byForecastCategory: categorySummary(data.rows),
      coverage: {
        period: periodLabel(quarter, 'quarter'),
        start,
        end,
        forecast: forecast.periods[0].point,
        forecastMethod: forecast.model,
        closedWonToDate: money(data.totals.closed_won),
        remainingToForecast: money(remaining),
        openPipelineClosingInPeriod: openInPeriod,
        openDealsClosingInPeriod: data.totals.open_deals_in_period,
        // Pipeline closing this quarter ÷ what the forecast still expects: 3× is a common rule of thumb.
        ratio: remaining > 0 ? round4(openInPeriod / remaining) : null,
      },
      slipping: slippingSummary(data.slipping),
      overdue: { deals: data.totals.overdue_deals, amount: money(data.totals.overdue_amount) },
      aging: AGING_LABELS.map((label, bucket) => {
        const row = data.aging.find((r) => r.bucket === bucket);
        return { bucket: label, maxDays: AGING_BOUNDS[bucket] !== undefined ? AGING_BOUNDS[bucket] - 1 : null, deals: row?.deals ?? 0, amount: money(row?.amount) };
      }),
      definitions: {
        weightedByStageProbability: 'Σ amount × the probability stored on each deal (the static stage probability)',
        weightedByLearnedProbability: 'Σ amount × the share of deals that reached the stage and were won, learned from the stage history',
        slipping: 'open deals whose close date was moved later at least once',
      },
    };
  }
}

function stageSummary(rows: StageCategoryRow[], learned: Record<OpenStage, number | null>) {
  return OPEN_STAGES.map((stage) => {
    const mine = rows.filter((r) => r.stage === stage);
    const amount = money(mine.reduce((s, r) => s + Number(r.amount), 0));
    const p = learned[stage];
    return {
      stage,
      deals: mine.reduce((s, r) => s + r.deals, 0),
      amount,
      weightedByStageProbability: money(mine.reduce((s, r) => s + Number(r.stage_weighted), 0)),
      learnedWinProbability: p === null ? null : round4(p),
      weightedByLearnedProbability: p === null ? null : money(amount * p),
      dealsWithoutAmount: mine.reduce((s, r) => s + r.unvalued, 0),
    };
  });
}

function totals(byStage: ReturnType<typeof stageSummary>) {
  const learned = byStage.every((s) => s.weightedByLearnedProbability !== null);
  return {
    deals: byStage.reduce((s, r) => s + r.deals, 0),
    amount: money(byStage.reduce((s, r) => s + r.amount, 0)),
    weightedByStageProbability: money(byStage.reduce((s, r) => s + r.weightedByStageProbability, 0)),
    weightedByLearnedProbability: learned ? money(byStage.reduce((s, r) => s + (r.weightedByLearnedProbability ?? 0), 0)) : null,
  };
}

function categorySummary(rows: StageCategoryRow[]) {
  return CATEGORIES.map((category) => {
    const mine = rows.filter((r) => r.forecast_category === category);
    return {
      category,
      deals: mine.reduce((s, r) => s + r.deals, 0),
      amount: money(mine.reduce((s, r) => s + Number(r.amount), 0)),
      weightedByStageProbability: money(mine.reduce((s, r) => s + Number(r.stage_weighted), 0)),
    };
  });
}

function slippingSummary(rows: SlippingRow[]) {
  return {
    deals: rows[0]?.total_deals ?? 0,
    amount: money(rows[0]?.total_amount),
    largest: rows.map((r) => ({
      id: r.id,
      name: r.name,
      owner: r.owner,
      stage: r.stage,
      amount: r.amount === null ? null : money(r.amount),
      originalCloseDate: r.original_close_date,
      closeDate: r.close_date,
      timesMoved: r.slips,
      daysSlipped: r.days_slipped,
    })),
  };
}
