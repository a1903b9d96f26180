import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, monthIndex, monthStart } from '../../src/sales/shared/periods.js';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';
import { SalesFixtures, type DealSpec } from '../helpers/sales-fixtures.js';

const SALES = 'mcp:tools:sales-data:read';

/** Three years of deals, 40 a month, each through proposal to won or lost: history enough for every method. */
function history(): DealSpec[] {
  const out: DealSpec[] = [];
  for (let m = monthIndex('2022-01-01'); m <= monthIndex('2024-12-01'); m++) {
    for (let i = 0; i < 40; i++) {
      const created = addDays(monthStart(m), i % 20);
      const closed = addDays(created, 20 + (i % 15));
      out.push({
        amount: 1000 + 50 * i, stage: 'qualification', closeDate: closed, createdAt: `${created}T09:00:00Z`,
        events: [{ at: `${addDays(created, 5)}T10:00:00Z`, stage: 'proposal' }, { at: `${closed}T15:00:00Z`, stage: i % 3 === 0 ? 'closed_lost' : 'closed_won' }],
      });
    }
  }
  return out;
}

/**
 * The pipeline method rebuilds the open pipeline month by month from the stage history, which can
 * take seconds on a large tenant; past FORECAST_SNAPSHOT_TIMEOUT_MS the query is cancelled by
 * Postgres and the forecast goes on with the time series alone, saying so. A 1 ms limit makes that
 * certain here (no query over 1,440 deals' history finishes within it).
 */
describe('sales forecast: the pipeline rebuild runs out of time', () => {
  let f: AuthFixture;
  let db: SalesFixtures;

  beforeAll(async () => {
    f = await startAuthFixture({ FORECAST_SNAPSHOT_TIMEOUT_MS: '1' });
    db = await SalesFixtures.open();
    await db.deals(f.tenantA, history());
  });

  afterAll(async () => {
    await db?.close();
    await f?.close();
  });

  it('when the snapshot query is cancelled, then auto answers from the time series with a warning instead of failing', async () => {
    const response = await f.get('/api/v1/sales/forecast?asOf=2025-01-01&horizon=3&method=auto', f.token({ claims: { scope: SALES } }));
    const body = await json(response);
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.method).toBe('timeseries');
    expect(body.warnings.join('\n')).toContain('took longer than 0.001 s: this forecast uses the time series only');
    expect(body.basis.pipelineSnapshots).toBe(0);
    expect(body.periods).toHaveLength(3);
    for (const period of body.periods) expect(period.point).toBeGreaterThan(0);
  });

  it('when the pipeline method is asked for explicitly, then it falls back the same way', async () => {
    const response = await f.get('/api/v1/sales/forecast?asOf=2025-01-01&horizon=2&method=pipeline', f.token({ claims: { scope: SALES } }));
    const body = await json(response);
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.warnings.join('\n')).toContain('took longer than');
  });
});
