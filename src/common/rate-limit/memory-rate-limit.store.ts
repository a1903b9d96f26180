import { admits, retryAfterMs, type WindowCounts } from './sliding-window.js';
import { type RateLimitDecision, type RateLimitRule, RateLimitStore } from './rate-limit.store.js';

interface Counter {
  window: number;
  current: number;
  previous: number;
}

const ALLOWED: RateLimitDecision = { allowed: true };

/**
 * Counters in this process: right for one instance, and the default. Synchronous, so a decision
 * costs a map lookup and no promise. Stale keys are swept once per window.
 */
export class MemoryRateLimitStore extends RateLimitStore {
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.sweeper = setInterval(() => this.sweep(), windowMs).unref();
  }

  consume(rules: readonly RateLimitRule[]): RateLimitDecision {
    const time = this.now();
    for (const rule of rules) {
      const counts = this.counts(rule.key, time);
      if (!admits(counts, rule.limit, this.windowMs)) return this.denied(rule, counts);
    }
    for (const rule of rules) this.counter(rule.key, time).current++;
    return ALLOWED;
  }

  peek(rule: RateLimitRule): RateLimitDecision {
    const counts = this.counts(rule.key, this.now());
    return admits(counts, rule.limit, this.windowMs) ? ALLOWED : this.denied(rule, counts);
  }

  add(key: string): void {
    this.counter(key, this.now()).current++;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.counters.clear();
  }

  /** Number of live counters (tests check the sweep). */
  get size(): number {
    return this.counters.size;
  }

  private denied(rule: RateLimitRule, counts: WindowCounts): RateLimitDecision {
    return { allowed: false, rule, retryAfterMs: retryAfterMs(counts, rule.limit, this.windowMs) };
  }

  private counts(key: string, time: number): WindowCounts {
    const counter = this.counter(key, time);
    return { current: counter.current, previous: counter.previous, elapsedMs: time % this.windowMs };
  }

  /** The key's counter rolled forward to the window containing `time`. */
  private counter(key: string, time: number): Counter {
    const window = Math.floor(time / this.windowMs);
    let counter = this.counters.get(key);
    if (!counter) {
      counter = { window, current: 0, previous: 0 };
      this.counters.set(key, counter);
    } else if (counter.window !== window) {
      counter.previous = counter.window === window - 1 ? counter.current : 0;
      counter.current = 0;
      counter.window = window;
    }
    return counter;
  }

  private sweep(): void {
    const window = Math.floor(this.now() / this.windowMs);
    for (const [key, counter] of this.counters) {
      if (counter.window < window - 1) this.counters.delete(key);
    }
  }
}
