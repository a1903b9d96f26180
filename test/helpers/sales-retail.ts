import { createNormalRng, createRng } from '../../src/sales/forecast/prng.js';

/**
 * A synthetic retail history shaped like the public "superstore" kind of dataset (48 months of
 * orders, four regions, three customer segments, strong Q4/September peaks, noisy small months,
 * growth of about 20% in the last year), exported as two CSV files the import API reads.
 * Deterministic for a seed; the monthly totals are returned too, so tests know the truth.
 */
export const RETAIL_REGIONS = ['Central', 'East', 'South', 'West'] as const;
export const RETAIL_SEGMENTS = ['Consumer', 'Corporate', 'Home Office'] as const;
/** How the import maps the retail segments onto ours. */
export const SEGMENT_MAP = { Consumer: 'smb', Corporate: 'enterprise', 'Home Office': 'mid-market' } as const;

const SEASON = [0.55, 0.4, 1.05, 0.75, 0.75, 0.8, 0.8, 0.75, 1.45, 0.85, 1.55, 1.6];
const YEAR = [1, 0.97, 1.2, 1.44];
const REGION_SHARE = [0.23, 0.29, 0.16, 0.32];
const SEGMENT_SHARE = [0.52, 0.3, 0.18];

export interface RetailData {
  accountsCsv: string;
  ordersCsv: string;
  /** Closed-won revenue per month (index 0 = firstMonth), overall and per region/segment. */
  monthly: { total: number[]; byRegion: Record<string, number[]>; bySegment: Record<string, number[]> };
  firstMonth: string;
}

export function retailHistory(seed: number, firstYear = 2014, ordersPerMonth = 110): RetailData {
  const uniform = createRng(seed);
  const normal = createNormalRng(seed + 1);
  const customers: { id: string; region: number; segment: number }[] = [];
  for (let i = 0; i < 600; i++) customers.push({ id: `C-${1000 + i}`, region: pickShare(uniform(), REGION_SHARE), segment: pickShare(uniform(), SEGMENT_SHARE) });
  const zeros = () => new Array<number>(48).fill(0);
  const monthly = { total: zeros(), byRegion: Object.fromEntries(RETAIL_REGIONS.map((r) => [r, zeros()])), bySegment: Object.fromEntries(RETAIL_SEGMENTS.map((s) => [s, zeros()])) };
  const orders: string[] = ['Order ID,Order Date,Customer ID,Sales,Status'];
  let n = 0;
  for (let t = 0; t < 48; t++) {
    const count = Math.max(1, Math.round(ordersPerMonth * SEASON[t % 12] * YEAR[Math.floor(t / 12)] * (1 + 0.12 * normal())));
    for (let k = 0; k < count; k++) {
      const c = customers[Math.floor(uniform() * customers.length)];
      const amount = Math.round(Math.exp(5.4 + 1.1 * normal()) * 100) / 100;
      const year = firstYear + Math.floor(t / 12);
      const month = (t % 12) + 1;
      const day = 1 + Math.floor(uniform() * 28);
      orders.push(`O-${++n},${year}-${pad(month)}-${pad(day)},${c.id},${amount.toFixed(2)},Won`);
      monthly.total[t] += amount;
      monthly.byRegion[RETAIL_REGIONS[c.region]][t] += amount;
      monthly.bySegment[RETAIL_SEGMENTS[c.segment]][t] += amount;
    }
  }
  const accounts = ['Customer ID,Customer Name,Region,Segment', ...customers.map((c) => `${c.id},Customer ${c.id},${RETAIL_REGIONS[c.region]},${RETAIL_SEGMENTS[c.segment]}`)];
  return { accountsCsv: accounts.join('\n'), ordersCsv: orders.join('\n'), monthly, firstMonth: `${firstYear}-01` };
}

function pickShare(u: number, shares: readonly number[]): number {
  let acc = 0;
  for (let i = 0; i < shares.length; i++) if (u < (acc += shares[i])) return i;
  return shares.length - 1;
}

const pad = (v: number) => String(v).padStart(2, '0');
