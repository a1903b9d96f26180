/**
 * Sliding-window counter (the approximation Cloudflare and nginx-style limiters use): a request is
 * admitted while `previous × (share of the previous window still inside the sliding minute) +
 * current + 1 ≤ limit`. It costs two counters per key, never lets a burst straddle a window edge
 * at twice the limit (the fixed window's flaw), and both stores share this one formula.
 */
export interface WindowCounts {
  /** Requests counted in the current fixed window. */
  current: number;
  /** Requests counted in the window before it. */
  previous: number;
  /** Milliseconds since the current window began. */
  elapsedMs: number;
}

export function slidingEstimate(counts: WindowCounts, windowMs: number): number {
  return (counts.previous * (windowMs - counts.elapsedMs)) / windowMs + counts.current;
}

/** Whether one more request fits under `limit`. */
export function admits(counts: WindowCounts, limit: number, windowMs: number): boolean {
  return slidingEstimate(counts, windowMs) + 1 <= limit;
}

/**
 * How long until one more request would be admitted, assuming no other traffic meanwhile:
 * first while the previous window's weight fades, else in the next window as this one's does.
 */
export function retryAfterMs(counts: WindowCounts, limit: number, windowMs: number): number {
  const { current, previous, elapsedMs } = counts;
  const untilWindowEnd = windowMs - elapsedMs;
  const room = limit - 1 - current;
  if (room >= 0) {
    // Room in this window once the previous one's weight fades: previous × (untilWindowEnd − t) / windowMs ≤ room.
    return previous > 0 ? Math.max(0, Math.ceil(untilWindowEnd - (room * windowMs) / previous)) : 0;
  }
  // This window is full: in the next, current × (windowMs − t′) / windowMs + 1 ≤ limit.
  return Math.ceil(untilWindowEnd + windowMs * (1 - (limit - 1) / current));
}
