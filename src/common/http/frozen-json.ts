/**
 * Fastify's reply serializer: JSON.stringify, except that a frozen object is serialized once and
 * its text reused. Analytics answers come deep-frozen from the tenant read cache
 * (TenantReadCache) and the same object answers every caller until the tenant's data changes, so
 * re-serializing it on each request (≈ 10 % of a cached GET's CPU) bought nothing. Keyed weakly by
 * the object itself: an answer the cache drops takes its text with it. (Freezing is what makes the
 * text final: the cache's answers are plain JSON data, which a frozen object cannot change.)
 */
const serialized = new WeakMap<object, string>();

export function serializeJson(payload: unknown): string {
  if (payload === null || typeof payload !== 'object' || !Object.isFrozen(payload)) return JSON.stringify(payload);
  let text = serialized.get(payload);
  if (text === undefined) {
    text = JSON.stringify(payload);
    serialized.set(payload, text);
  }
  return text;
}
