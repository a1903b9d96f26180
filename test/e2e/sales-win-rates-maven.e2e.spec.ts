import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';
import { mavenDataDir } from '../helpers/shared-data.js';

const DIR = mavenDataDir();
const SALES = 'mcp:tools:sales-data:read';

interface Deal {
  agent: string;
  account: string;
  stage: string;
  engage: string;
  close: string;
  value: number;
}

/** The CSV rows (the Maven files have no quoted fields; CRLF line ends). */
function rows(file: string): string[][] {
  return readFileSync(`${DIR}/${file}`, 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((line) => line.split(','));
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/** Expected figures computed from the CSV itself, grouped by a key. */
function expected(deals: Deal[], key: (d: Deal) => string | null) {
  const groups = new Map<string | null, Deal[]>();
  for (const d of deals) groups.set(key(d), [...(groups.get(key(d)) ?? []), d]);
  return new Map(
    [...groups].map(([k, ds]) => {
      const closed = ds.filter((d) => d.stage === 'Won' || d.stage === 'Lost');
      const won = closed.filter((d) => d.stage === 'Won');
      return [k, { sampleSize: closed.length, won: won.length, wonAmount: won.reduce((s, d) => s + d.value, 0), medianDaysToClose: median(closed.map((d) => days(d.engage, d.close))), open: ds.length - closed.length }];
    }),
  );
}

describe('win rates on the Maven CRM dataset, imported through the import API', () => {
  let f: AuthFixture;
  let token: string;
  let deals: Deal[];
  let officeOf: Map<string, string>;

  beforeAll(async () => {
    f = await startAuthFixture({ RATE_LIMIT_ENABLED: 'false' });
    token = f.token({ claims: { scope: SALES } });
    const writer = f.token({ claims: { scope: 'mcp:tools:crm:write' } });
    const post = (query: string, body: string) =>
      fetch(`${f.t.baseUrl}/api/v1/crm/import${query}`, { method: 'POST', headers: { authorization: `Bearer ${writer}`, 'content-type': 'text/csv' }, body });
    // Accounts first, their office location as the region; then the pipeline with the maven preset.
    const accountMapping = encodeURIComponent(JSON.stringify({ columns: { externalId: 'account', name: 'account', industry: 'sector', region: 'office_location' } }));
    const accounts = await post(`?entity=accounts&mapping=${accountMapping}`, readFileSync(`${DIR}/accounts.csv`, 'utf8'));
    expect(accounts.status, await accounts.clone().text()).toBe(200);
    const pipeline = await post('?mapping=maven', readFileSync(`${DIR}/sales_pipeline.csv`, 'utf8'));
    expect(pipeline.status, (await pipeline.clone().text()).slice(0, 500)).toBe(200);
    expect(await json(pipeline)).toMatchObject({ rows: 8800, created: 8800, rejectedCount: 0, accountsCreated: 0 });
    deals = rows('sales_pipeline.csv').map(([, agent, , account, stage, engage, close, value]) => ({ agent, account, stage, engage, close, value: Number(value || 0) }));
    officeOf = new Map(rows('accounts.csv').map(([account, , , , , office]) => [account, office]));
  }, 120_000);
  afterAll(() => f.close());

  it('when the win rate is asked for overall, then it is Won/(Won+Lost) = 63.15 % over 6,711 closed deals', async () => {
    const body = await json(await f.get('/api/v1/sales/win-rates?groupBy=owner', token));
    expect(body.overall).toMatchObject({ sampleSize: 6711, won: 4238, lost: 2473, winRate: 0.6315, wonAmount: 10_005_534, open: 2089 });
    expect(body.overall.medianDaysToClose).toBe(median(deals.filter((d) => d.stage === 'Won' || d.stage === 'Lost').map((d) => days(d.engage, d.close))));
  });

  it('when grouped by owner (sales agent), then each agent’s counts, amount and median days match the CSV', async () => {
    const body = await json(await f.get('/api/v1/sales/win-rates?groupBy=owner', token));
    const want = expected(deals, (d) => d.agent);
    expect(body.groups).toHaveLength(want.size);
    for (const g of body.groups) {
      const w = want.get(g.group)!;
      expect(g, g.group).toMatchObject({ sampleSize: w.sampleSize, won: w.won, lost: w.sampleSize - w.won, wonAmount: w.wonAmount, medianDaysToClose: w.medianDaysToClose, open: w.open });
      expect(g.winRate).toBe(Math.round((w.won / w.sampleSize) * 10_000) / 10_000);
    }
    // Largest sample first.
    expect(body.groups[0].sampleSize).toBe(Math.max(...[...want.values()].map((w) => w.sampleSize)));
  });

  it('when grouped by region (the account’s office), then the regional counts match the CSV joined to accounts', async () => {
    const body = await json(await f.get('/api/v1/sales/win-rates?groupBy=region', token));
    const want = expected(deals, (d) => (d.account ? (officeOf.get(d.account) ?? null) : null));
    const got = new Map(body.groups.map((g: { group: string | null; sampleSize: number; won: number; open: number }) => [g.group, { sampleSize: g.sampleSize, won: g.won, open: g.open }]));
    expect(got).toEqual(new Map([...want].map(([k, w]) => [k, { sampleSize: w.sampleSize, won: w.won, open: w.open }])));
    expect(got.get('United States')).toMatchObject({ sampleSize: expect.any(Number) });
  });

  it('when grouped by stage, then every closed deal reached prospecting and the open Engaging deals sit in qualification', async () => {
    const body = await json(await f.get('/api/v1/sales/win-rates?groupBy=stage', token));
    const byStage = Object.fromEntries(body.groups.map((g: { group: string }) => [g.group, g]));
    expect(byStage.prospecting).toMatchObject({ sampleSize: 6711, won: 4238, winRate: 0.6315 });
    expect(byStage.qualification).toMatchObject({ sampleSize: 0, winRate: null, open: 1589 });
  });

  it('when revenue is summed over 2017, then it is the Won revenue of the dataset', async () => {
    const body = await json(await f.get('/api/v1/sales/revenue?from=2017-01-01&to=2017-12-31&interval=year', token));
    expect(body).toMatchObject({ total: 10_005_534, deals: 4238 });
  });
});
