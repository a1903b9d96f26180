import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthFixture, type AuthFixture } from '../helpers/auth-fixture.js';
import { json } from '../helpers/http.js';
import { connectMcp, postRpc } from '../helpers/mcp-client.js';
import { SalesFixtures, type DealSpec } from '../helpers/sales-fixtures.js';

const SALES = 'mcp:tools:sales-data:read';
const QUERY = { asOf: '2025-01-01', horizon: 3, region: 'West' };

describe('sales MCP tools, prompt and seed RPC twins', () => {
  let f: AuthFixture;
  let db: SalesFixtures;
  let token: string;

  beforeAll(async () => {
    f = await startAuthFixture({ RATE_LIMIT_ENABLED: 'false' });
    db = await SalesFixtures.open();
    token = f.token({ claims: { scope: SALES } });
    const west = await db.account(f.tenantA, { name: 'West Co', region: 'West', segment: 'smb' });
    const deals: DealSpec[] = [];
    for (let m = 0; m < 30; m++) {
      const month = `${2022 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
      deals.push({ accountId: west, amount: 1000 + 100 * (m % 12) + 10 * m, stage: 'proposal', closeDate: `${month}-12`, createdAt: `${month}-01`, events: [{ at: `${month}-12`, stage: 'closed_won' }] });
    }
    await db.deals(f.tenantA, deals);
  });
  afterAll(async () => {
    await db.close();
    await f.close();
  });

  it('when a sales token lists tools, then the four sales tools are there with input and output schemas', async () => {
    const client = await connectMcp(f.t.baseUrl, token);
    try {
      const { tools } = await client.listTools();
      const sales = tools.filter((t) => t.name.startsWith('sales_')).sort((a, b) => a.name.localeCompare(b.name));
      expect(sales.map((t) => t.name)).toEqual(['sales_get_forecast', 'sales_get_pipeline', 'sales_get_revenue', 'sales_get_win_rates']);
      for (const tool of sales) {
        expect(tool.outputSchema, tool.name).toBeDefined();
        expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
      }
      const forecast = sales[0];
      expect(Object.keys(forecast.inputSchema.properties ?? {}).sort()).toEqual(['asOf', 'horizon', 'interval', 'method', 'region', 'segment']);
    } finally {
      await client.close();
    }
  });

  it('when sales_get_forecast is called, then its structured content is the REST answer and its chart comes as an image', async () => {
    const rest = await json(await f.get(`/api/v1/sales/forecast?asOf=2025-01-01&horizon=3&region=West`, token));
    const svg = await (await f.get(`/api/v1/sales/forecast.svg?asOf=2025-01-01&horizon=3&region=West`, token)).text();
    const client = await connectMcp(f.t.baseUrl, token);
    try {
      const result = await client.callTool({ name: 'sales_get_forecast', arguments: QUERY });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual(rest);
      const [text, image, ...more] = result.content as { type: string; text?: string; data?: string; mimeType?: string }[];
      expect(JSON.parse(text.text!)).toEqual(rest);
      expect(image).toMatchObject({ type: 'image', mimeType: 'image/svg+xml' });
      // The very chart the REST route draws for the same question.
      expect(Buffer.from(image.data!, 'base64').toString('utf8')).toBe(svg);
      expect(svg).toMatch(/^<svg /);
      expect(more).toEqual([]);
      const bad = await client.callTool({ name: 'sales_get_forecast', arguments: { horizon: 13 } });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('when the seed RPC route is called with sales/get_forecast, then the same service answers', async () => {
    const rest = await json(await f.get(`/api/v1/sales/forecast?asOf=2025-01-01&horizon=3&region=West`, token));
    const response = await postRpc(f.t.baseUrl, 'tools/sales-data', { method: 'sales/get_forecast', params: QUERY }, token);
    expect(response.status).toBe(200);
    expect((await json(response)).result).toEqual(rest);
    const revenue = await postRpc(f.t.baseUrl, 'tools/sales-data', { method: 'sales/get_revenue', params: { from: '2023-01-01', to: '2023-12-31', interval: 'quarter' } }, token);
    expect((await json(revenue)).result.total).toBe(12 * 1000 + 100 * 66 + 10 * (12 * 12 + 66));
  });

  it('when the forecast_review prompt is asked for, then it carries the forecast, its chart and a checklist', async () => {
    const client = await connectMcp(f.t.baseUrl, token);
    try {
      const prompt = await client.getPrompt({ name: 'forecast_review', arguments: { asOf: '2025-01-01', horizon: '3', region: 'West' } });
      const [data, image, checklist] = prompt.messages.map((m) => m.content as { type: string; text?: string; data?: string; mimeType?: string });
      expect(data.type).toBe('text');
      expect(data.text).toContain('"method"');
      expect(image).toMatchObject({ type: 'image', mimeType: 'image/svg+xml' });
      expect(Buffer.from(image.data!, 'base64').toString('utf8')).toMatch(/^<svg /);
      expect(checklist.text).toContain('MASE');
    } finally {
      await client.close();
    }
  });
});
