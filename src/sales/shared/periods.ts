/**
 * Calendar arithmetic on months, done on integers (year × 12 + month − 1) so that no time zone
 * or daylight-saving rule can move a sale into the wrong month. All dates are UTC YYYY-MM-DD.
 */

export type PeriodInterval = 'month' | 'quarter' | 'year';

/** Months since year 0 of the month containing `isoDate`. */
export function monthIndex(isoDate: string): number {
  return Number(isoDate.slice(0, 4)) * 12 + Number(isoDate.slice(5, 7)) - 1;
}

/** The first day of month `index` as YYYY-MM-DD. */
export function monthStart(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
}

export function daysInMonth(index: number): number {
  const year = Math.floor(index / 12);
  const month = index % 12;
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** Months per period. */
export function periodMonths(interval: PeriodInterval): number {
  return interval === 'month' ? 1 : interval === 'quarter' ? 3 : 12;
}

/** Index of the first month of the period (of `interval`) that contains month `index`. */
export function periodStartMonth(index: number, interval: PeriodInterval): number {
  const size = periodMonths(interval);
  return index - (index % size);
}

/** 2025-03, 2025-Q1 or 2025 for the period starting at month `index`. */
export function periodLabel(index: number, interval: PeriodInterval): string {
  const year = Math.floor(index / 12);
  if (interval === 'year') return String(year);
  if (interval === 'quarter') return `${year}-Q${Math.floor((index % 12) / 3) + 1}`;
  return monthStart(index).slice(0, 7);
}

/** The last day of the period of `interval` starting at month `index`. */
export function periodEnd(index: number, interval: PeriodInterval): string {
  return addDays(monthStart(index + periodMonths(interval)), -1);
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
