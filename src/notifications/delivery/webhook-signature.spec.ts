import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from './webhook-signature.js';

const secret = 'whsec_test';
const body = '{"id":"e1"}';

describe('webhook signatures', () => {
  it('when signing, then the header is t and the HMAC-SHA256 of "t.body" in hex', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader(secret, body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('when the body, secret or timestamp differ, then verification fails', () => {
    const header = signatureHeader(secret, body, 1_700_000_000);
    const now = { nowSeconds: 1_700_000_010 };
    expect(verifySignature(header, body, secret, now)).toBe(true);
    expect(verifySignature(header, `${body} `, secret, now)).toBe(false);
    expect(verifySignature(header, body, 'whsec_other', now)).toBe(false);
    expect(verifySignature(header.replace('t=1700000000', 't=1700000005'), body, secret, now)).toBe(false);
  });

  it('when the timestamp is older than the tolerance, then a valid signature is still rejected (replay)', () => {
    const header = signatureHeader(secret, body, 1_700_000_000);
    expect(verifySignature(header, body, secret, { nowSeconds: 1_700_000_301 })).toBe(false);
    expect(verifySignature(header, body, secret, { nowSeconds: 1_700_000_300 })).toBe(true);
  });

  it('when the header is missing or malformed, then verification fails without throwing', () => {
    for (const header of [undefined, '', 't=abc,v1=00', 'v1=zz', 't=1700000000']) {
      expect(verifySignature(header, body, secret, { nowSeconds: 1_700_000_000 })).toBe(false);
    }
  });
});
