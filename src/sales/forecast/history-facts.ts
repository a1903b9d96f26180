/** Cleaning of a raw monthly revenue history and the facts we report about it. */

export interface HistoryFacts {
  /** Months passed in. */
  monthsProvided: number;
  /** Months the models actually used (after trimming leading empty months). */
  monthsUsed: number;
  leadingZerosTrimmed: number;
  /** Missing or non-numeric months, treated as zero revenue. */
  nonFiniteReplaced: number;
  zeros: number;
  negatives: number;
  min: number;
  max: number;
  mean: number;
  /** Revenue of the last 12 months vs the 12 before (e.g. 0.2 = +20%); null when unknown. */
  lastYearGrowth: number | null;
  /** Whether seasonal models were eligible (enough full seasons). */
  seasonalModelsFitted: boolean;
}

export interface PreparedHistory {
  y: number[];
  facts: Omit<HistoryFacts, 'seasonalModelsFitted'>;
  warnings: string[];
}

export function prepareHistory(history: readonly number[]): PreparedHistory {
  const warnings: string[] = [];
  // A month with no recorded revenue is most likely a month with no sales, hence zero.
  const cleaned = history.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0));
  const nonFinite = history.length - history.filter((v) => typeof v === 'number' && Number.isFinite(v)).length;
  if (nonFinite > 0) warnings.push(`${nonFinite} missing or non-numeric month(s) were treated as zero revenue`);
  // Leading zeros are months before the region/segment existed; they would fake a level shift.
  let start = 0;
  while (start < cleaned.length && cleaned[start] === 0) start++;
  const y = cleaned.slice(start);
  if (start > 0 && y.length > 0) warnings.push(`${start} leading month(s) without revenue were ignored`);
  const zeros = y.filter((v) => v === 0).length;
  const negatives = y.filter((v) => v < 0).length;
  if (zeros > 0) warnings.push(`${zeros} month(s) with zero revenue: multiplicative models were not considered`);
  if (negatives > 0) warnings.push(`${negatives} month(s) with negative revenue (refunds?) are kept as they are`);
  const sum = y.reduce((a, b) => a + b, 0);
  return {
    y,
    warnings,
    facts: {
      monthsProvided: history.length,
      monthsUsed: y.length,
      leadingZerosTrimmed: y.length > 0 ? start : 0,
      nonFiniteReplaced: nonFinite,
      zeros,
      negatives,
      min: y.length ? Math.min(...y) : 0,
      max: y.length ? Math.max(...y) : 0,
      mean: y.length ? sum / y.length : 0,
      lastYearGrowth: lastYearGrowth(y),
    },
  };
}

function lastYearGrowth(y: readonly number[]): number | null {
  if (y.length < 24) return null;
  const last = y.slice(-12).reduce((a, b) => a + b, 0);
  const previous = y.slice(-24, -12).reduce((a, b) => a + b, 0);
  return previous > 0 ? last / previous - 1 : null;
}
