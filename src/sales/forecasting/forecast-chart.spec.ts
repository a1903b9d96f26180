import { describe, expect, it } from 'vitest';
import { chartFromForecast, compactNumber, escapeXml, niceStep, renderForecastSvg } from './forecast-chart.js';

describe('forecast chart (SVG)', () => {
  it('when text holds markup, then it is escaped', () => {
    expect(escapeXml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;y&apos;');
  });

  it('when numbers are labelled, then they are compact and the axis steps are round', () => {
    expect([compactNumber(950), compactNumber(45_000), compactNumber(1_234_567), compactNumber(2e9)]).toEqual(['950', '45k', '1.23M', '2B']);
    expect([niceStep(1000), niceStep(1234), niceStep(0)]).toEqual([200, 250, 1]);
  });

  it('when a forecast is drawn, then history, forecast, both bands and the axis labels are there', () => {
    const svg = renderForecastSvg({
      title: 'Revenue <EMEA>',
      subtitle: 'x',
      history: [{ label: '2025-01', value: 100 }, { label: '2025-02', value: 120 }],
      forecast: [
        { label: '2025-03', point: 130, lower80: 110, upper80: 150, lower95: 100, upper95: 160 },
        { label: '2025-04', point: 140, lower80: 115, upper80: 165, lower95: 100, upper95: 180 },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Revenue &lt;EMEA&gt;');
    expect(svg.match(/<polygon /g)).toHaveLength(2);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    for (const label of ['2025-01', '2025-04', '200']) expect(svg).toContain(`>${label}</text>`);
  });

  it('when a quarterly forecast is charted, then only complete quarters before asOf’s are history', () => {
    const months = ['2024-10', '2024-11', '2024-12', '2025-01', '2025-02'].map((month) => ({ month, revenue: 10 }));
    const svg = chartFromForecast({
      asOf: '2025-02-15', interval: 'quarter', filters: {}, method: 'timeseries', model: 'm',
      periods: [{ period: '2025-Q1', point: 40, lower80: 35, upper80: 45, lower95: 30, upper95: 50 }],
      history: months, backtest: { rows: [{ method: 'timeseries', mase: 0.5 }] },
    });
    expect(svg).toContain('>2024-Q4</text>');
    expect(svg).not.toContain('>2025-Q1</text><text');
    expect(svg).toContain('all regions and segments (as of 2025-02-15)');
  });
});
