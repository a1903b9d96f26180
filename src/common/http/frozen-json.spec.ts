import { afterEach, describe, expect, it, vi } from 'vitest';
import { serializeJson } from './frozen-json.js';

describe('reply serialization', () => {
  afterEach(() => vi.restoreAllMocks());

  it('when an object is not frozen, then each reply serializes it as it is now', () => {
    const answer: { count: number } = { count: 1 };
    expect(serializeJson(answer)).toBe('{"count":1}');
    answer.count = 2;
    expect(serializeJson(answer)).toBe('{"count":2}');
  });

  it('when an object is frozen (a cached answer), then it is serialized once and the text reused', () => {
    const answer = Object.freeze({ stages: Object.freeze([Object.freeze({ stage: 'won', amount: 10 })]) });
    const stringify = vi.spyOn(JSON, 'stringify');
    const first = serializeJson(answer);
    expect(first).toBe('{"stages":[{"stage":"won","amount":10}]}');
    expect(serializeJson(answer)).toBe(first);
    expect(stringify).toHaveBeenCalledTimes(1);
  });

  it('when the payload is not an object, then it is plain JSON.stringify', () => {
    expect(serializeJson('x')).toBe('"x"');
    expect(serializeJson(null)).toBe('null');
    expect(serializeJson([1, 2])).toBe('[1,2]');
  });
});
