import { describe, expect, it } from 'vitest';
import { databaseCpuMicrosBetween } from './processes.js';

describe("Postgres's CPU between two readings", () => {
  it('when processes grew, started, exited or a pid was reused, then only the work done in between counts, never a negative', () => {
    const before = new Map([[10, 5_000], [11, 7_000], [12, 9_000], [13, 40_000]]);
    const after = new Map([[10, 6_000], [11, 7_000], [14, 2_000], [13, 1_500]]);
    // 10 grew by 1,000; 11 idle; 12 exited (counts 0); 14 is new (2,000); 13 was reused (1,500 is all new).
    expect(databaseCpuMicrosBetween(before, after)).toBe(1_000 + 2_000 + 1_500);
  });
});
