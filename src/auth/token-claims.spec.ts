import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/app-config.js';
import { checkHeader, principalFromClaims, resourceMetadataUrl, TENANT_ID_PATTERN, TokenRejected } from './token-claims.js';

const auth = parseConfig({ AUTH_ISSUER: 'https://auth.example.test/', DATABASE_URL: 'postgres://u@127.0.0.1/x_test' }).auth;
const NOW = 1_800_000_000;

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const tokenWith = (header: unknown) => `${b64(header)}.${b64({})}.c2ln`;
const claims = (overrides: Record<string, unknown> = {}) => {
  const base: Record<string, unknown> = {
    iss: auth.issuer,
    aud: auth.audience,
    sub: 'user-a1',
    client_id: 'client-1',
    org_id: 'tenant-a',
    scope: 'mcp:tools:crm:read',
    iat: NOW,
    nbf: NOW,
    exp: NOW + 300,
    jti: 'j-1',
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
};

describe('checkHeader: the protected header, before any key is looked up', () => {
  it('when the header is an allowed alg with a kid and an access-token typ, then it yields alg and kid', () => {
    expect(checkHeader(tokenWith({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }), auth)).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(checkHeader(tokenWith({ alg: 'ES256', kid: 'k2' }), auth)).toEqual({ alg: 'ES256', kid: 'k2' });
  });

  it('when alg is none (any case), HMAC, not allowed by config, or not a string, then it is rejected (T01/T02/T06)', () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE', 'HS256', 'HS512', 'rs256', 'RS384', 'PS256', 'EdDSA', '', 1, null, ['RS256']]) {
      expect(() => checkHeader(tokenWith({ alg, kid: 'k1' }), auth), String(alg)).toThrow(TokenRejected);
    }
  });

  it('when crit is present in any form, then it is rejected (jsonwebtoken ignores crit, T08)', () => {
    for (const crit of [['urn:x'], [], 'b64', null]) {
      expect(() => checkHeader(tokenWith({ alg: 'RS256', kid: 'k1', crit }), auth)).toThrow('crit not understood');
    }
  });

  it('when the header is a JWE (enc/zip) or the token is not compact JWS, then it is rejected (T09/T10)', () => {
    expect(() => checkHeader(tokenWith({ alg: 'RS256', kid: 'k1', enc: 'A256GCM' }), auth)).toThrow(TokenRejected);
    expect(() => checkHeader(tokenWith({ alg: 'RS256', kid: 'k1', zip: 'DEF' }), auth)).toThrow(TokenRejected);
    for (const token of ['a.b', 'a.b.c.d', 'a.b.c.d.e', 'a+b.c.d', 'a/b.c.d', 'ab=.c.d', 'a.b.c\u0000', '', '{"protected":"x"}.b.c']) {
      expect(() => checkHeader(token, auth), token).toThrow('not a compact JWS');
    }
  });

  it('when the header does not decode to a JSON object, then it is rejected (T10)', () => {
    for (const header of ['"str"', '[]', 'null', '42', 'not json']) {
      expect(() => checkHeader(`${b64(header)}.e30.c2ln`, auth), header).toThrow(TokenRejected);
    }
    // `{"alg":"RS256\xC3(","kid":"k1"}`: invalid UTF-8 decodes to U+FFFD, so it can never equal an allowed value.
    const invalidUtf8 = Buffer.concat([Buffer.from('{"alg":"RS256'), Buffer.from([0xc3, 0x28]), Buffer.from('","kid":"k1"}')]).toString('base64url');
    expect(() => checkHeader(`${invalidUtf8}.e30.c2ln`, auth)).toThrow(TokenRejected);
    const utf16 = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' }), 'utf16le').toString('base64url');
    expect(() => checkHeader(`${utf16}.e30.c2ln`, auth)).toThrow(TokenRejected);
  });

  it('when kid is absent, empty, not a string, or longer than 256, then it is rejected (T05/T07)', () => {
    for (const kid of [undefined, '', 123, { a: 1 }, ['k1'], 'x'.repeat(257)]) {
      expect(() => checkHeader(tokenWith({ alg: 'RS256', kid }), auth), String(kid)).toThrow('kid missing or malformed');
    }
    expect(checkHeader(tokenWith({ alg: 'RS256', kid: 'x'.repeat(256) }), auth).kid).toHaveLength(256);
  });

  it('when no typ is configured, then access-token types and JWT pass, other types fail (T17)', () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'JWT', 'jwt', undefined]) {
      expect(() => checkHeader(tokenWith({ alg: 'RS256', kid: 'k1', typ }), auth), String(typ)).not.toThrow();
    }
    for (const typ of ['logout+jwt', 'secevent+jwt', 'application/jwt+at', 'at+jwt ', 42, null]) {
      expect(() => checkHeader(tokenWith({ alg: 'RS256', kid: 'k1', typ }), auth), String(typ)).toThrow(TokenRejected);
    }
  });

  it('when AUTH_REQUIRED_TYP is set, then only that media type passes (case-insensitive, application/ optional)', () => {
    const strict = { ...auth, requiredTyp: 'at+jwt' };
    for (const typ of ['at+jwt', 'at+JWT', 'application/at+jwt']) expect(() => checkHeader(tokenWith({ alg: 'RS256', kid: 'k1', typ }), strict)).not.toThrow();
    for (const typ of ['JWT', undefined, 'logout+jwt']) {
      expect(() => checkHeader(tokenWith({ alg: 'RS256', kid: 'k1', typ }), strict), String(typ)).toThrow(TokenRejected);
    }
  });

  it('when members are duplicated, then the last one is the one seen (the same JSON.parse rule jsonwebtoken applies, T11)', () => {
    const header = '{"alg":"none","kid":"k1","alg":"RS256"}';
    expect(checkHeader(`${b64(header)}.e30.c2ln`, auth).alg).toBe('RS256');
    expect(() => checkHeader(`${b64('{"alg":"RS256","kid":"k1","alg":"none"}')}.e30.c2ln`, auth)).toThrow(TokenRejected);
  });
});

describe('principalFromClaims: the gaps jsonwebtoken leaves', () => {
  it('when the claims are complete, then the principal carries sub, client, tenant, scopes, jti and exp', () => {
    expect(principalFromClaims(claims({ scope: 'mcp:tools:crm:read  mcp:tools:crm:write' }), auth, NOW)).toEqual({
      subject: 'user-a1',
      clientId: 'client-1',
      tenantId: 'tenant-a',
      tokenId: 'j-1',
      scopes: ['mcp:tools:crm:read', 'mcp:tools:crm:write'],
      expiresAt: NOW + 300,
    });
  });

  it('when exp or iat is absent or not a number, then it is rejected (T19)', () => {
    for (const overrides of [{ exp: undefined }, { exp: '9999999999' }, { exp: Number.NaN }, { iat: undefined }, { iat: '1' }, { exp: null }]) {
      expect(() => principalFromClaims(claims(overrides), auth, NOW), JSON.stringify(overrides)).toThrow(TokenRejected);
    }
  });

  it('when the lifetime exceeds the maximum token age, or iat lies beyond the leeway in the future, then it is rejected (T19/T20)', () => {
    expect(() => principalFromClaims(claims({ exp: NOW + auth.maxTokenAgeSeconds + 1 }), auth, NOW)).toThrow('lifetime too long');
    expect(() => principalFromClaims(claims({ exp: NOW + auth.maxTokenAgeSeconds }), auth, NOW)).not.toThrow();
    expect(() => principalFromClaims(claims({ iat: NOW + 61, exp: NOW + 361 }), auth, NOW)).toThrow('iat in the future');
    expect(() => principalFromClaims(claims({ iat: NOW + 60, exp: NOW + 360 }), auth, NOW)).not.toThrow();
  });

  it('when an RFC 9068 claim is missing or mistyped, then it is rejected; azp stands in for client_id (T21)', () => {
    for (const overrides of [{ sub: undefined }, { sub: 123 }, { sub: '' }, { client_id: undefined }, { client_id: ['c'] }, { jti: undefined }, { jti: '' }]) {
      expect(() => principalFromClaims(claims(overrides), auth, NOW), JSON.stringify(overrides)).toThrow(TokenRejected);
    }
    expect(principalFromClaims(claims({ client_id: undefined, azp: 'client-azp' }), auth, NOW).clientId).toBe('client-azp');
  });

  it('when the token carries a nonce, then it is an ID token and is rejected (T17)', () => {
    expect(() => principalFromClaims(claims({ nonce: 'n-0S6' }), auth, NOW)).toThrow(TokenRejected);
  });

  it('when the tenant claim is absent, empty, null, a wildcard, an array, a number or padded, then it is rejected (T22)', () => {
    for (const org of [undefined, '', null, '*', ['tenant-a', 'tenant-b'], 123, 'tenant-a ', ' tenant-a', 'tenant/a', '-tenant', 'x'.repeat(129)]) {
      expect(() => principalFromClaims(claims({ org_id: org }), auth, NOW), JSON.stringify(org)).toThrow('tenant claim missing or malformed');
    }
    expect(TENANT_ID_PATTERN.test('x'.repeat(128))).toBe(true);
  });

  it('when AUTH_TENANT_CLAIM names another claim, then that claim (and only it) names the tenant', () => {
    const tid = { ...auth, tenantClaim: 'tid' };
    expect(principalFromClaims(claims({ tid: 'tenant-t' }), tid, NOW).tenantId).toBe('tenant-t');
    expect(() => principalFromClaims(claims(), tid, NOW)).toThrow(TokenRejected);
  });

  it('when scope and scp are both present, then only scope counts — never a union (T31)', () => {
    expect(principalFromClaims(claims({ scope: 'mcp:tools:crm:read', scp: ['mcp:tools:crm:write'] }), auth, NOW).scopes).toEqual(['mcp:tools:crm:read']);
    expect(principalFromClaims(claims({ scope: undefined, scp: ['mcp:tools:crm:write'] }), auth, NOW).scopes).toEqual(['mcp:tools:crm:write']);
    expect(principalFromClaims(claims({ scope: undefined, permissions: ['crm:write'], roles: ['admin'] }), auth, NOW).scopes).toEqual([]);
  });

  it('when scope is not a space-delimited string or scp not an array of strings, then it is rejected (T21)', () => {
    for (const overrides of [{ scope: ['mcp:tools:crm:read'] }, { scope: 1 }, { scope: undefined, scp: 'mcp:tools:crm:read' }, { scope: undefined, scp: [1] }]) {
      expect(() => principalFromClaims(claims(overrides), auth, NOW), JSON.stringify(overrides)).toThrow(TokenRejected);
    }
  });

  it('when scope has tabs or commas, then they are not separators (RFC 6749 §3.3, T28)', () => {
    expect(principalFromClaims(claims({ scope: 'a\tb,c' }), auth, NOW).scopes).toEqual(['a\tb,c']);
  });
});

describe('resourceMetadataUrl', () => {
  it('when the path is the MCP endpoint, then the /mcp document is named; otherwise the root one', () => {
    expect(resourceMetadataUrl('https://x.test', '/mcp')).toBe('https://x.test/.well-known/oauth-protected-resource/mcp');
    expect(resourceMetadataUrl('https://x.test', '/mcp/tools/crm')).toBe('https://x.test/.well-known/oauth-protected-resource/mcp');
    expect(resourceMetadataUrl('https://x.test', '/mcpx')).toBe('https://x.test/.well-known/oauth-protected-resource');
    expect(resourceMetadataUrl('https://x.test', '/api/v1/crm/accounts')).toBe('https://x.test/.well-known/oauth-protected-resource');
  });
});
