import { describe, expect, it } from 'vitest';
import { normalizeDate, resolveMapping, RowMapper } from './import-mapping.js';

describe('import mapping', () => {
  it('when a preset names candidate columns, then the first present one is used and values are mapped case-insensitively', () => {
    const mapper = new RowMapper('opportunities', resolveMapping('opportunities', 'salesforce'));
    const result = mapper.map({
      'Opportunity ID': '006xx1', 'Opportunity Name': 'Big deal', Amount: '$12,500.00', Stage: 'negotiation/review',
      'Close Date': '3/31/2025', 'Probability (%)': '80%', 'Account Name': 'Acme', Unrelated: 'ignored',
    });
    expect(result).toEqual({
      ok: true,
      row: { externalId: '006xx1', name: 'Big deal', amount: 12500, stage: 'negotiation', closeDate: '2025-03-31', probability: 80, accountName: 'Acme' },
    });
  });

  it('when Pipedrive says won, then the status overrides the stage', () => {
    const mapper = new RowMapper('opportunities', resolveMapping('opportunities', 'pipedrive'));
    const result = mapper.map({ 'Deal - ID': '7', 'Deal - Title': 'x', 'Deal - Stage': 'Proposal Made', 'Deal - Status': 'Won' });
    expect(result).toMatchObject({ ok: true, row: { stage: 'closed_won' } });
  });

  it('when Maven rows have no name, then it is built from account and product; empty cells are absent', () => {
    const mapper = new RowMapper('opportunities', resolveMapping('opportunities', 'maven'));
    const result = mapper.map({ opportunity_id: 'Z1', sales_agent: 'Moses', product: 'GTXPro', account: '', deal_stage: 'Engaging', engage_date: '2016-10-20', close_date: '', close_value: '' });
    expect(result).toEqual({ ok: true, row: { externalId: 'Z1', owner: 'Moses', product: 'GTXPro', name: 'GTXPro', stage: 'qualification', createdAt: '2016-10-20' } });
  });

  it('when values are invalid, then every reason is reported with its field', () => {
    const mapper = new RowMapper('opportunities', resolveMapping('opportunities', undefined));
    const result = mapper.map({ external_id: 'a', name: 'n', stage: 'won', amount: '-3', close_date: '2025-02-30x', tenantId: 'other' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reasons.map((reason) => reason.split(':')[0])).toEqual(['amount', 'stage', 'closeDate']);
  });

  it('when a mapping is neither a preset nor valid JSON, then it is a 400 naming query.mapping', () => {
    expect(() => resolveMapping('opportunities', 'sap')).toThrow(/mapping/);
    expect(() => resolveMapping('opportunities', '{"columns":{"nope":"x"}}')).toThrow(/mapping/);
    expect(() => resolveMapping('accounts', 'hubspot')).toThrow(/no mapping for accounts/);
  });

  it('when dates are slashed, then the mapping decides the order; ISO date-times keep their date for date fields', () => {
    expect(normalizeDate('3/4/2025', 'MDY', true)).toBe('2025-03-04');
    expect(normalizeDate('3/4/2025', 'DMY', true)).toBe('2025-04-03');
    expect(normalizeDate('2025-03-04T10:00:00Z', undefined, true)).toBe('2025-03-04');
    expect(normalizeDate('2025-03-04 10:00', undefined, false)).toBe('2025-03-04 10:00');
  });
});
