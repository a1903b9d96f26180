import { describe, expect, it } from 'vitest';
import {
  logActivityToolInputSchema,
  searchOpportunitiesToolInputSchema,
  updateOpportunityToolInputSchema,
} from './crm-tools.schemas.js';

const ID = '7d1c7a4e-9a51-4c39-8f0e-0c6f4d7b2a11';

describe('CRM tool input schemas', () => {
  it('when an agent sends JSON arguments, then numbers and arrays are accepted where REST takes text', () => {
    expect(searchOpportunitiesToolInputSchema.parse({ stage: ['proposal'], limit: 20 })).toEqual({ stage: ['proposal'], limit: 20 });
    expect(searchOpportunitiesToolInputSchema.safeParse({ limit: '20' }).success).toBe(false);
  });

  it('when an update names only the id or carries server-owned fields, then it is rejected', () => {
    expect(updateOpportunityToolInputSchema.safeParse({ opportunityId: ID }).success).toBe(false);
    expect(updateOpportunityToolInputSchema.safeParse({ opportunityId: ID, stage: 'proposal', tenantId: 'b' }).success).toBe(false);
    expect(updateOpportunityToolInputSchema.parse({ opportunityId: ID, stage: 'proposal', version: 3 })).toEqual({ opportunityId: ID, stage: 'proposal', version: 3 });
  });

  it('when logging an activity, then the opportunity id and an optional idempotency key ride along', () => {
    expect(logActivityToolInputSchema.parse({ opportunityId: ID, type: 'call', subject: 'Hi', idempotencyKey: 'k-1' })).toMatchObject({ idempotencyKey: 'k-1' });
    expect(logActivityToolInputSchema.safeParse({ opportunityId: ID, type: 'fax', subject: 'Hi' }).success).toBe(false);
  });
});
