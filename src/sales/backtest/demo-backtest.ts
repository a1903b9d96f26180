/**
 * Rolling-origin evaluation of the forecast as users get it: for each of the last N months, the
 * forecast made as of its first day (only data known then, pipeline rebuilt from the stage
 * history) is compared with what then closed, 1–H months ahead. Also scores the time-series
 * engine's single methods on the same origins, so `auto` can be held against seasonal naive.
 */
import type { Principal } from '../../auth/principal.js';
import { Scope } from '../../auth/scope.js';
import type { TenantDb } from '../../database/tenant-db.js';
import { maseScale, smapeTerm } from '../forecast/accuracy.js';
import { forecastSeries, type ForecastMethod } from '../forecast/forecast-engine.js';
import { prepareHistory } from '../forecast/history-facts.js';
import type { ForecastRepository } from '../forecasting/forecast.repository.js';
import type { ForecastService } from '../forecasting/forecast.service.js';
import { monthIndex, monthStart } from '../shared/periods.js';
import type { DealFilters } from '../shared/sql-params.js';

export const SERVICE_METHODS = ['auto', 'timeseries', 'pipeline'] as const;
export const ENGINE_METHODS: readonly Exclude<ForecastMethod, 'auto'>[] = ['seasonal_naive', 'ets', 'theta', 'combination'];

export interface MethodScore {
  method: string;
  mase: number;
  smape: number;
  coverage80: number;
  coverage95: number;
  /** MASE per step ahead (index 0 = the origin's own month). */
  maseByStep: number[];
  errors: number;
}

export interface BacktestReport {
  tenantId: string;
  filters: DealFilters;
  origins: string[];
  horizon: number;
  scores: MethodScore[];
  /** How often `auto` chose each method. */
  autoChoices: Record<string, number>;
}

interface Band {
  point: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

class Accumulator {
  private sums = { scaled: 0, smape: 0, in80: 0, in95: 0, n: 0 };
  private steps: { scaled: number; n: number }[] = [];

  add(step: number, actual: number, f: Band, scale: number): void {
    const scaled = Math.abs(actual - f.point) / scale;
    this.sums.scaled += scaled;
    this.sums.smape += smapeTerm(actual, f.point);
    if (actual >= f.lower80 && actual <= f.upper80) this.sums.in80++;
    if (actual >= f.lower95 && actual <= f.upper95) this.sums.in95++;
    this.sums.n++;
    this.steps[step] ??= { scaled: 0, n: 0 };
    this.steps[step].scaled += scaled;
    this.steps[step].n++;
  }

  score(method: string): MethodScore {
    const n = Math.max(1, this.sums.n);
    return {
      method,
      mase: this.sums.scaled / n,
      smape: this.sums.smape / n,
      coverage80: this.sums.in80 / n,
      coverage95: this.sums.in95 / n,
      maseByStep: this.steps.map((s) => s.scaled / Math.max(1, s.n)),
      errors: this.sums.n,
    };
  }
}

export async function backtestTenant(
  deps: { db: TenantDb; repository: ForecastRepository; service: ForecastService },
  tenantId: string,
  filters: DealFilters,
  options: { today: string; months: number; horizon: number },
): Promise<BacktestReport> {
  const principal: Principal = { subject: 'backtest', clientId: 'backtest-cli', tenantId, scopes: [Scope.SalesDataRead], expiresAt: 0 };
  const current = monthIndex(options.today);
  const known = await deps.db.run(tenantId, (m) => deps.repository.monthlyRevenue(m, tenantId, filters, monthStart(current)));
  const actual = new Map(known.map((r) => [monthIndex(r.month), Number(r.revenue)]));
  const acc = new Map<string, Accumulator>();
  const autoChoices: Record<string, number> = {};
  const origins: string[] = [];
  for (let origin = current - options.months; origin < current; origin++) {
    const asOf = monthStart(origin);
    origins.push(asOf);
    const history = [...actual].filter(([month]) => month < origin).map(([, revenue]) => revenue);
    const scale = maseScale(prepareHistory(history).y, 12);
    const steps = Math.min(options.horizon, current - origin);
    const score = (method: string, bands: Band[]) => {
      const a = acc.get(method) ?? new Accumulator();
      acc.set(method, a);
      for (let j = 0; j < steps; j++) a.add(j, actual.get(origin + j) ?? 0, bands[j], scale);
    };
    for (const method of SERVICE_METHODS) {
      const answer = await deps.service.forecast(principal, { region: filters.region, segment: filters.segment as never, interval: 'month', horizon: options.horizon, method, asOf });
      score(method, answer.periods);
      if (method === 'auto') autoChoices[answer.method] = (autoChoices[answer.method] ?? 0) + 1;
    }
    for (const method of ENGINE_METHODS) score(method, forecastSeries(history, { horizon: options.horizon, method }).forecast);
  }
  return { tenantId, filters, origins, horizon: options.horizon, scores: [...acc].map(([method, a]) => a.score(method)), autoChoices };
}

/** The report as a fixed-width table. */
export function formatReport(report: BacktestReport): string {
  const scope = Object.entries(report.filters).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(' ') || 'all';
  const lines = [
    `tenant ${report.tenantId} (${scope}): ${report.origins.length} origins ${report.origins[0]}…${report.origins.at(-1)}, 1–${report.horizon} months ahead`,
    `  ${'method'.padEnd(15)}${'MASE'.padStart(7)}${'sMAPE%'.padStart(8)}${'cov80'.padStart(7)}${'cov95'.padStart(7)}  MASE h=1..${report.horizon}`,
  ];
  const naive = report.scores.find((s) => s.method === 'seasonal_naive')!.mase;
  for (const s of report.scores) {
    const marker = s.method === 'auto' ? (s.mase < naive ? '  ← beats seasonal naive' : '  ← does NOT beat seasonal naive') : '';
    lines.push(
      `  ${s.method.padEnd(15)}${s.mase.toFixed(3).padStart(7)}${s.smape.toFixed(1).padStart(8)}${pct(s.coverage80).padStart(7)}${pct(s.coverage95).padStart(7)}  ${s.maseByStep.map((v) => v.toFixed(2)).join(' ')}${marker}`,
    );
  }
  lines.push(`  auto chose: ${Object.entries(report.autoChoices).map(([m, n]) => `${m} ×${n}`).join(', ')}`);
  return lines.join('\n');
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
