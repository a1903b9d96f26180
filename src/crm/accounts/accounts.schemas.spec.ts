import { describe, expect, it } from 'vitest';
import { toIssues } from '../../common/validation/zod-validation.js';
import { createAccountSchema, updateAccountSchema } from './accounts.schemas.js';

describe('account schemas (catalog T47)', () => {
  it('when an update carries server-owned or unknown fields, then each is named and nothing passes', () => {
    const body = JSON.parse(
      '{"name":"ok","tenantId":"tenant-B","orgId":"b","id":"x","createdAt":"1970-01-01T00:00:00Z","isAdmin":true,"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
    );
    const result = updateAccountSchema.safeParse(body);
    expect(result.success).toBe(false);
    const paths = toIssues(result.error!, 'body').map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['body.tenantId', 'body.orgId', 'body.id', 'body.createdAt', 'body.isAdmin', 'body.__proto__', 'body.constructor']));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('when an update names no field, then it is rejected', () => {
    expect(updateAccountSchema.safeParse({}).success).toBe(false);
    expect(updateAccountSchema.safeParse({ version: 2 }).success).toBe(false);
    expect(updateAccountSchema.safeParse({ version: 2, owner: null }).success).toBe(true);
  });

  it('when creating, then strings are trimmed and the domain lower-cased', () => {
    expect(createAccountSchema.parse({ name: ' Acme ', domain: 'Acme.COM' })).toEqual({ name: 'Acme', domain: 'acme.com' });
    expect(createAccountSchema.safeParse({ name: 'x', version: 3 }).success).toBe(false);
  });
});
