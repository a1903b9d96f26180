import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../common/canonical-json.js';
import { digestArguments } from './args-digest.js';

describe('digestArguments', () => {
  it('when two objects differ only in key order, then their digests are equal', () => {
    expect(digestArguments({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(digestArguments({ a: { c: 'x', d: [1, 2] }, b: 1 }));
  });

  it('when a value changes, then the digest changes', () => {
    expect(digestArguments({ a: 1 })).not.toBe(digestArguments({ a: 2 }));
  });

  it('when members are undefined, then they are dropped like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('when a value has toJSON (a Date), then it is written as JSON.stringify writes it, not as an empty object', () => {
    const at = new Date('2026-11-27T12:00:00.000Z');
    expect(canonicalJson({ b: at, a: [at] })).toBe('{"a":["2026-11-27T12:00:00.000Z"],"b":"2026-11-27T12:00:00.000Z"}');
  });

  it('when hashed, then it is the SHA-256 hex of the canonical JSON', () => {
    expect(digestArguments({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});
