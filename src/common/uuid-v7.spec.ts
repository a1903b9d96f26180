import { describe, expect, it } from 'vitest';
import { uuidV7 } from './uuid-v7.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('has the v7 layout: version 7, RFC variant', () => {
    for (let index = 0; index < 1000; index++) expect(uuidV7(new Date())).toMatch(V7);
  });

  it('carries the given time in its first 48 bits', () => {
    const at = new Date('2026-11-27T14:40:00.123Z');
    const id = uuidV7(at);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at.getTime());
  });

  it('sorts by time: a later millisecond gives a greater id, whatever the random bits', () => {
    const earlier = uuidV7(new Date('2026-11-27T14:40:00.123Z'));
    const later = uuidV7(new Date('2026-11-27T14:40:00.124Z'));
    expect(later > earlier).toBe(true);
    // Also across a hex-digit carry of the timestamp.
    expect(uuidV7(new Date(0x1_0000_0000)) > uuidV7(new Date(0xffff_ffff))).toBe(true);
  });

  it('differs between two ids of the same millisecond', () => {
    const at = new Date();
    const ids = new Set(Array.from({ length: 1000 }, () => uuidV7(at)));
    expect(ids.size).toBe(1000);
  });
});
