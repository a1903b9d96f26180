import { Injectable } from '@nestjs/common';
import { TenantReadCache } from '../../database/tenant-changes/tenant-read-cache.js';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import { TenantDb } from '../../database/tenant-db.js';
import type { WinRatesQuery } from '../sales.schemas.js';
import { money, type DealFilters } from '../shared/sql-params.js';
import { round4, stripUndefined } from '../shared/plain.js';
import { OPEN_STAGES, WinRatesRepository, type OpenStage, type WinRateRow } from './win-rates.repository.js';
import type { WinRatesResult } from '../sales-results.schemas.js';

export interface WinRate {
  group: string | null;
  /** Closed deals in the group: the sample the rate is learned from. */
  sampleSize: number;
  won: number;
  lost: number;
  /** won / (won + lost); null without closed deals. */
  winRate: number | null;
  wonAmount: number;
  /** Won amount / closed amount. */
  valueWinRate: number | null;
  medianDaysToClose: number | null;
  medianDaysToWin: number | null;
  /** Deals still open (for stages: currently in the stage), not part of the sample. */
  open: number;
}

/** Pseudo-deals of the overall rate mixed into a stage's rate (a Beta prior), so 3 deals do not make 100%. */
const PRIOR_WEIGHT = 10;

@Injectable()
export class WinRatesService {
  constructor(
    private readonly db: TenantDb,
    private readonly repository: WinRatesRepository,
    private readonly cache: TenantReadCache,
  ) {}

  /** Cached until the tenant's CRM data changes (TenantReadCache). */
  winRates(principal: Principal, query: WinRatesQuery): Promise<WinRatesResult> {
    return this.cache.get(principal.tenantId, JSON.stringify(['win-rates', query]), () => this.computeWinRates(principal, query));
  }

  private async computeWinRates(principal: Principal, query: WinRatesQuery): Promise<WinRatesResult> {
    const filters: DealFilters = { region: query.region, segment: query.segment };
    const { overall, rows } = await this.db.run(principal.tenantId, async (manager) => ({
      overall: (await this.repository.byDimension(manager, principal.tenantId, null, filters))[0],
      rows: await this.rows(manager, principal.tenantId, query.groupBy, filters),
    }));
    return {
      groupBy: query.groupBy,
      filters: stripUndefined(filters),
      definition:
        query.groupBy === 'stage'
          ? 'of the closed deals whose stage history shows they reached the stage: the share won, and the median days from first reaching it to the close date'
          : 'of the closed deals in the group: the share won (won / (won + lost)), and the median days from the deal first being seen to its close date',
      overall: toWinRate(overall ?? emptyRow(null)),
      groups: rows.map(toWinRate),
    };
  }

  /**
   * P(won | the deal is in stage s), learned from the stage history and shrunk towards the
   * overall rate when the stage has few closed deals; the static stage probability is not used.
   */
  async learnedStageProbabilities(manager: EntityManager, tenantId: string, filters: DealFilters): Promise<Record<OpenStage, number | null>> {
    const [overall] = await this.repository.byDimension(manager, tenantId, null, filters);
    const rows = await this.repository.byStage(manager, tenantId, filters);
    const base = overall && overall.closed > 0 ? overall.won / overall.closed : null;
    const result = {} as Record<OpenStage, number | null>;
    for (const stage of OPEN_STAGES) {
      const row = rows.find((r) => r.grp === stage);
      if (base === null) result[stage] = null;
      else result[stage] = ((row?.won ?? 0) + PRIOR_WEIGHT * base) / ((row?.closed ?? 0) + PRIOR_WEIGHT);
    }
    return result;
  }

  private async rows(manager: EntityManager, tenantId: string, groupBy: WinRatesQuery['groupBy'], filters: DealFilters): Promise<WinRateRow[]> {
    if (groupBy !== 'stage') {
      const rows = await this.repository.byDimension(manager, tenantId, groupBy, filters);
      return rows.sort((a, b) => b.closed - a.closed || String(a.grp).localeCompare(String(b.grp)));
    }
    const rows = await this.repository.byStage(manager, tenantId, filters);
    return OPEN_STAGES.map((stage) => rows.find((row) => row.grp === stage) ?? emptyRow(stage));
  }
}

function emptyRow(grp: string | null): WinRateRow {
  return { grp, closed: 0, won: 0, won_amount: '0', closed_amount: '0', median_days_to_close: null, median_days_to_win: null, open: 0 };
}

function toWinRate(row: WinRateRow): WinRate {
  const wonAmount = money(row.won_amount);
  const closedAmount = money(row.closed_amount);
  return {
    group: row.grp,
    sampleSize: row.closed,
    won: row.won,
    lost: row.closed - row.won,
    winRate: row.closed > 0 ? round4(row.won / row.closed) : null,
    wonAmount,
    valueWinRate: closedAmount > 0 ? round4(wonAmount / closedAmount) : null,
    medianDaysToClose: row.median_days_to_close === null ? null : Number(row.median_days_to_close),
    medianDaysToWin: row.median_days_to_win === null ? null : Number(row.median_days_to_win),
    open: row.open,
  };
}
