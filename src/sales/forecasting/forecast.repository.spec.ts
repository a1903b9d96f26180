import { describe, expect, it } from 'vitest';
import { idRanges } from './forecast.repository.js';

describe('idRanges', () => {
  it('when the deals are sliced, then the slices cover the uuid space end to end without overlap', () => {
    expect(idRanges(1)).toEqual([{ from: '00000000-0000-0000-0000-000000000000', to: null }]);
    expect(idRanges(4)).toEqual([
      { from: '00000000-0000-0000-0000-000000000000', to: '40000000-0000-0000-0000-000000000000' },
      { from: '40000000-0000-0000-0000-000000000000', to: '80000000-0000-0000-0000-000000000000' },
      { from: '80000000-0000-0000-0000-000000000000', to: 'c0000000-0000-0000-0000-000000000000' },
      { from: 'c0000000-0000-0000-0000-000000000000', to: null },
    ]);
  });
});
