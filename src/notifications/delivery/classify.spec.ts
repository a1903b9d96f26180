import { describe, expect, it } from 'vitest';
import { slipOccurrence, stageChangeOccurrence } from '../rules/crm-events.listener.js';
import { settlementOf } from './deliverer.js';
import { classifyStatus } from './http-channel.js';
import type { ClaimedMessage } from './outbox.repository.js';

const message: ClaimedMessage = { tenantId: 't', notificationId: 'n', attempt: 2, leaseToken: 'l', maxAttempts: 3, retryBaseMs: 100, retryMaxMs: 1000 };

describe('delivery outcomes', () => {
  it.each([
    [200, 'delivered', false],
    [204, 'delivered', false],
    [301, 'failed', false],
    [400, 'failed', false],
    [410, 'failed', false],
    [408, 'failed', true],
    [429, 'failed', true],
    [500, 'failed', true],
    [503, 'failed', true],
  ])('when the receiver answers %i, then the outcome is %s (retryable: %s)', (status, outcome, retryable) => {
    expect(classifyStatus(status)).toMatchObject({ outcome, retryable, httpStatus: status });
  });

  it('when a retryable failure happens before the last attempt, then it is retried later; at the last, dead', () => {
    const failure = { outcome: 'failed' as const, retryable: true };
    expect(settlementOf(message, failure)).toMatchObject({ status: 'retry', delayMs: expect.any(Number) });
    expect(settlementOf({ ...message, attempt: 3 }, failure)).toEqual({ status: 'dead' });
    expect(settlementOf(message, { outcome: 'refused', retryable: false })).toEqual({ status: 'dead' });
    expect(settlementOf(message, { outcome: 'delivered', retryable: false })).toEqual({ status: 'delivered' });
  });
});

describe('CRM events as rule occurrences', () => {
  const base = { tenantId: 't', opportunityId: 'o', amount: 1200, currency: 'EUR', closeDate: '2030-01-01', changedBy: 'u', changedAt: '2030-01-01T00:00:00Z' };

  it('when a deal moves to closed_won or closed_lost, then it is an occurrence; any other stage change is not', () => {
    expect(stageChangeOccurrence({ ...base, from: 'negotiation', to: 'closed_won' })).toMatchObject({ event: 'opportunity.closed_won', subject: 'Opportunity won' });
    expect(stageChangeOccurrence({ ...base, from: 'negotiation', to: 'closed_lost' })).toMatchObject({ event: 'opportunity.closed_lost', severity: 'warning' });
    expect(stageChangeOccurrence({ ...base, from: 'prospecting', to: 'proposal' })).toBeUndefined();
    expect(stageChangeOccurrence({ ...base, from: 'closed_won', to: 'closed_won' })).toBeUndefined();
  });

  it('when the same change arrives twice, then both have the same key (the dedupe key of its notification)', () => {
    const event = { ...base, from: 'negotiation' as const, to: 'closed_won' as const };
    expect(stageChangeOccurrence(event)!.key).toBe(stageChangeOccurrence({ ...event })!.key);
    const slip = { ...base, from: '2030-01-01', to: '2030-03-01', stage: 'proposal' as const };
    expect(slipOccurrence(slip).text).toBe('Opportunity o (proposal, 1200.00 EUR) now closes 2030-03-01 instead of 2030-01-01.');
  });
});
