import { describe, expect, it } from 'vitest';
import type { SnapshotRow } from './forecast.repository.js';
import { SnapshotCache } from './snapshot-cache.js';

const rows = (n: number) => [{ ref_month: n } as SnapshotRow];

describe('SnapshotCache', () => {
  it('when the history has not grown, then the stored snapshots are served; when it has, they are dropped', () => {
    const cache = new SnapshotCache();
    cache.set('k', '10', rows(1));
    expect(cache.get('k', '10')).toEqual(rows(1));
    expect(cache.get('k', '11')).toBeUndefined();
    expect(cache.get('k', '10')).toBeUndefined();
  });

  it('when an entry is older than ten minutes, then it is not served', () => {
    let now = 0;
    const cache = new SnapshotCache(() => now);
    cache.set('k', '1', rows(1));
    now = 10 * 60_000;
    expect(cache.get('k', '1')).toEqual(rows(1));
    now += 1;
    expect(cache.get('k', '1')).toBeUndefined();
  });

  it('when more than 200 keys are stored, then the least recently used go first', () => {
    const cache = new SnapshotCache();
    for (let i = 0; i < 200; i++) cache.set(`k${i}`, '1', rows(i));
    expect(cache.get('k0', '1')).toEqual(rows(0));
    cache.set('k200', '1', rows(200));
    expect(cache.get('k1', '1')).toBeUndefined();
    expect(cache.get('k0', '1')).toEqual(rows(0));
  });
});
