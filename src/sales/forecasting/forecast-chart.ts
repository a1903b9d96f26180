/**
 * The forecast as an SVG chart: history, forecast and its 80%/95% bands, axes with labels.
 * Hand-written (no dependency); every piece of text passes through escapeXml.
 */

export interface ChartPoint {
  label: string;
  value: number;
}

export interface ChartForecastPoint {
  label: string;
  point: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

export interface ChartInput {
  title: string;
  subtitle: string;
  history: ChartPoint[];
  forecast: ChartForecastPoint[];
}

const W = 800;
const H = 420;
const M = { top: 64, right: 40, bottom: 64, left: 80 };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** 1234567 → "1.23M", 45000 → "45k". */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${+(value / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${+(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return `${+value.toFixed(0)}`;
}

/** A round step giving about `count` ticks from 0 to max. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw)!;
  return step;
}

export function renderForecastSvg(input: ChartInput): string {
  const labels = [...input.history.map((p) => p.label), ...input.forecast.map((p) => p.label)];
  const max = Math.max(1, ...input.history.map((p) => p.value), ...input.forecast.map((p) => p.upper95));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (i: number) => M.left + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const y = (v: number) => M.top + plotH - (Math.max(0, v) / top) * plotH;
  const n = input.history.length;
  const fx = (j: number) => x(n + j);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12" role="img" aria-label="${escapeXml(input.title)}">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="24" font-size="16" font-weight="bold">${escapeXml(input.title)}</text>`,
    `<text x="${M.left}" y="44" fill="#555">${escapeXml(input.subtitle)}</text>`,
  ];
  for (let v = 0; v <= top + step / 2; v += step) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${M.left - 8}" y="${f(y(v) + 4)}" text-anchor="end" fill="#333">${escapeXml(compactNumber(v))}</text>`);
  }
  const every = Math.max(1, Math.ceil(labels.length / 12));
  labels.forEach((label, i) => {
    // Every `every`-th label, and the last one when it does not crowd the one before it.
    const last = i === labels.length - 1 && (labels.length - 1) % every >= every / 2;
    if (i % every !== 0 && !last) return;
    parts.push(`<text x="${f(x(i))}" y="${H - M.bottom + 18}" text-anchor="middle" fill="#333">${escapeXml(label)}</text>`);
  });
  parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${f(y(0))}" y2="${f(y(0))}" stroke="#333"/>`);
  parts.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${f(y(0))}" stroke="#333"/>`);
  if (input.forecast.length > 0) {
    parts.push(band(input.forecast, fx, y, 'lower95', 'upper95', '#c6dbef', '95% interval'));
    parts.push(band(input.forecast, fx, y, 'lower80', 'upper80', '#9ecae1', '80% interval'));
  }
  if (n > 0) parts.push(polyline(input.history.map((p, i) => [x(i), y(p.value)]), '#1f2937', '', 'history'));
  const joined = n > 0 ? [[x(n - 1), y(input.history[n - 1].value)]] : [];
  parts.push(polyline([...joined, ...input.forecast.map((p, j) => [fx(j), y(p.point)])], '#2563eb', ' stroke-dasharray="6 4"', 'forecast'));
  input.forecast.forEach((p, j) => parts.push(`<circle cx="${f(fx(j))}" cy="${f(y(p.point))}" r="3" fill="#2563eb"><title>${escapeXml(`${p.label}: ${compactNumber(p.point)} (80%: ${compactNumber(p.lower80)}–${compactNumber(p.upper80)}; 95%: ${compactNumber(p.lower95)}–${compactNumber(p.upper95)})`)}</title></circle>`));
  parts.push(legend());
  parts.push('</svg>');
  return parts.join('\n');
}

function band(points: ChartForecastPoint[], fx: (j: number) => number, y: (v: number) => number, lo: 'lower80' | 'lower95', hi: 'upper80' | 'upper95', fill: string, name: string): string {
  const upper = points.map((p, j) => `${f(fx(j))},${f(y(p[hi]))}`);
  const lower = points.map((p, j) => `${f(fx(j))},${f(y(p[lo]))}`).reverse();
  // A single period gets a visible width.
  if (points.length === 1) {
    const x0 = fx(0);
    return `<rect x="${f(x0 - 10)}" y="${f(y(points[0][hi]))}" width="20" height="${f(y(points[0][lo]) - y(points[0][hi]))}" fill="${fill}"><title>${name}</title></rect>`;
  }
  return `<polygon points="${[...upper, ...lower].join(' ')}" fill="${fill}"><title>${name}</title></polygon>`;
}

function polyline(points: number[][], stroke: string, extra: string, name: string): string {
  return `<polyline points="${points.map(([px, py]) => `${f(px)},${f(py)}`).join(' ')}" fill="none" stroke="${stroke}" stroke-width="2"${extra}><title>${name}</title></polyline>`;
}

function legend(): string {
  const x0 = M.left;
  const y0 = H - 14;
  return [
    `<g transform="translate(${x0},${y0})">`,
    `<line x1="0" x2="20" y1="0" y2="0" stroke="#1f2937" stroke-width="2"/><text x="26" y="4">history</text>`,
    `<line x1="80" x2="100" y1="0" y2="0" stroke="#2563eb" stroke-width="2" stroke-dasharray="6 4"/><text x="106" y="4">forecast</text>`,
    `<rect x="170" y="-6" width="16" height="12" fill="#9ecae1"/><text x="190" y="4">80%</text>`,
    `<rect x="230" y="-6" width="16" height="12" fill="#c6dbef"/><text x="250" y="4">95%</text>`,
    `</g>`,
  ].join('');
}

const f = (v: number) => (Math.round(v * 10) / 10).toString();

/** The parts of a forecast answer the chart needs. */
export interface ForecastView {
  asOf: string;
  interval: 'month' | 'quarter';
  filters: { region?: string; segment?: string };
  method: string;
  model: string;
  periods: { period: string; point: number; lower80: number; upper80: number; lower95: number; upper95: number }[];
  history: { month: string; revenue: number }[];
  backtest: { rows: { method: string; mase: number | null }[] };
}

/** Chart of a forecast answer: the last 24 months (or 8 complete quarters) of history, then the forecast. */
export function chartFromForecast(view: ForecastView): string {
  const scope = [view.filters.region, view.filters.segment].filter(Boolean).join(', ') || 'all regions and segments';
  const chosen = view.backtest.rows.find((r) => r.method === view.method);
  const accuracy = chosen?.mase != null ? `; backtest MASE ${chosen.mase.toFixed(2)}` : '';
  return renderForecastSvg({
    title: `Closed-won revenue forecast: ${scope} (as of ${view.asOf})`,
    subtitle: `${view.model}${accuracy}`,
    history: view.interval === 'quarter' ? quarterly(view.history, view.asOf).slice(-8) : view.history.slice(-24).map((m) => ({ label: m.month, value: m.revenue })),
    forecast: view.periods.map((p) => ({ label: p.period, point: p.point, lower80: p.lower80, upper80: p.upper80, lower95: p.lower95, upper95: p.upper95 })),
  });
}

/** Sums months into complete quarters that end before the quarter containing asOf. */
function quarterly(months: { month: string; revenue: number }[], asOf: string): ChartPoint[] {
  const quarterOf = (ym: string) => `${ym.slice(0, 4)}-Q${Math.floor((Number(ym.slice(5, 7)) - 1) / 3) + 1}`;
  const current = quarterOf(asOf.slice(0, 7));
  const sums = new Map<string, { value: number; months: number }>();
  for (const m of months) {
    const q = quarterOf(m.month);
    const s = sums.get(q) ?? { value: 0, months: 0 };
    sums.set(q, { value: s.value + m.revenue, months: s.months + 1 });
  }
  return [...sums.entries()].filter(([q, s]) => q !== current && s.months === 3).map(([label, s]) => ({ label, value: Math.round(s.value * 100) / 100 }));
}
