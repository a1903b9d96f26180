import { mkdtempSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { databaseCpuMicrosBetween, productNodeFlags } from './processes.js';

describe("Postgres's CPU between two readings", () => {
  it('when processes grew, started, exited or a pid was reused, then only the work done in between counts, never a negative', () => {
    const before = new Map([[10, 5_000], [11, 7_000], [12, 9_000], [13, 40_000]]);
    const after = new Map([[10, 6_000], [11, 7_000], [14, 2_000], [13, 1_500]]);
    // 10 grew by 1,000; 11 idle; 12 exited (counts 0); 14 is new (2,000); 13 was reused (1,500 is all new).
    expect(databaseCpuMicrosBetween(before, after)).toBe(1_000 + 2_000 + 1_500);
  });
});

describe("the product's Node flags", () => {
  it("when read from package.json, then they are npm start's flags, in order", () => {
    const file = `${mkdtempSync('/tmp/flags-')}/package.json`;
    writeFileSync(file, JSON.stringify({ scripts: { start: 'node --max-semi-space-size=64 --enable-source-maps dist/main.js' } }));
    expect(productNodeFlags(file)).toEqual(['--max-semi-space-size=64', '--enable-source-maps']);
    writeFileSync(file, JSON.stringify({ scripts: { start: 'node dist/main.js' } }));
    expect(productNodeFlags(file)).toEqual([]);
  });

  it('when the start script is anything else, then it says so instead of guessing', () => {
    const file = `${mkdtempSync('/tmp/flags-')}/package.json`;
    writeFileSync(file, JSON.stringify({ scripts: { start: 'nest start' } }));
    expect(() => productNodeFlags(file)).toThrow(/not "node \[--flags\] dist\/main.js"/);
  });
});
