/**
 * Delay before retry number `attempt + 1`: exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter" (half fixed, half random) so a burst of failures does not retry in lockstep yet
 * never retries at once.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
