import { Redis } from 'ioredis';
import { retryAfterMs } from './sliding-window.js';
import { type RateLimitDecision, type RateLimitRule, RateLimitStore } from './rate-limit.store.js';

const PREFIX = 'rl:';

// One round trip, atomic: Redis runs a script alone. The clock is Redis's own (TIME), so instances
// with skewed clocks still share one window. Per base key it keeps `<key>:<window index>` counters
// that expire after two windows. Mode c = check all then count all, p = check only, a = count only.
// The counter keys are derived inside the script: fine for one Redis (or Sentinel), not for Cluster.
const SLIDING_WINDOW_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local index = math.floor(now / window)
local elapsed = now - index * window
local mode = ARGV[2]
if mode ~= 'a' then
  for i = 1, #KEYS do
    local current = tonumber(redis.call('GET', KEYS[i] .. ':' .. index) or '0')
    local previous = tonumber(redis.call('GET', KEYS[i] .. ':' .. (index - 1)) or '0')
    if previous * (window - elapsed) / window + current + 1 > tonumber(ARGV[i + 2]) then
      return {i, current, previous, elapsed}
    end
  end
end
if mode ~= 'p' then
  for i = 1, #KEYS do
    local key = KEYS[i] .. ':' .. index
    if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, window * 2) end
  end
end
return {0, 0, 0, elapsed}
`;

type Reply = [number, number, number, number];
type SlidingWindowClient = Redis & {
  slidingWindow(keyCount: number, ...args: (string | number)[]): Promise<Reply>;
};

const ALLOWED: RateLimitDecision = { allowed: true };

/**
 * Counters in Redis, so that every instance behind the load balancer enforces one shared limit.
 * Commands fail fast while Redis is unreachable (no offline queue); the caller decides what a
 * failure means (RateLimiter fails open).
 */
export class RedisRateLimitStore extends RateLimitStore {
  private readonly redis: SlidingWindowClient;

  constructor(url: string, onConnectionError: (error: Error) => void) {
    super();
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    }) as SlidingWindowClient;
    this.redis.on('error', onConnectionError);
    this.redis.defineCommand('slidingWindow', { lua: SLIDING_WINDOW_LUA });
  }

  /** Connects (bounded); failure is not fatal, ioredis keeps reconnecting in the background. */
  async connect(): Promise<boolean> {
    try {
      await this.redis.connect();
      return true;
    } catch {
      return false;
    }
  }

  async consume(rules: readonly RateLimitRule[], windowMs: number): Promise<RateLimitDecision> {
    const reply = await this.redis.slidingWindow(
      rules.length,
      ...rules.map((rule) => PREFIX + rule.key),
      windowMs,
      'c',
      ...rules.map((rule) => rule.limit),
    );
    return decide(reply, rules, windowMs);
  }

  async peek(rule: RateLimitRule, windowMs: number): Promise<RateLimitDecision> {
    return decide(await this.redis.slidingWindow(1, PREFIX + rule.key, windowMs, 'p', rule.limit), [rule], windowMs);
  }

  async add(key: string, windowMs: number): Promise<void> {
    await this.redis.slidingWindow(1, PREFIX + key, windowMs, 'a');
  }

  async close(): Promise<void> {
    await Promise.race([
      this.redis.quit().catch(() => undefined),
      new Promise((done) => setTimeout(done, 1_000).unref()),
    ]);
    this.redis.disconnect();
  }
}

function decide([failed, current, previous, elapsedMs]: Reply, rules: readonly RateLimitRule[], windowMs: number): RateLimitDecision {
  if (failed === 0) return ALLOWED;
  const rule = rules[failed - 1]!;
  return { allowed: false, rule, retryAfterMs: retryAfterMs({ current, previous, elapsedMs }, rule.limit, windowMs) };
}
