import { describe, expect, it } from 'vitest';
import { type CredentialSource, readBearerCredentials } from './bearer-token.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const TOKEN2 = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ5In0.b3RoZXI';

/** A request as Node/Fastify present it: `headers` keeps the first Authorization, `raw.rawHeaders` all of them. */
function request(authorizations: string[], extra: { body?: unknown; query?: Record<string, unknown>; cookie?: string } = {}): CredentialSource {
  const rawHeaders = authorizations.flatMap((value) => ['Authorization', value]);
  if (extra.cookie) rawHeaders.push('Cookie', extra.cookie);
  return {
    raw: { rawHeaders },
    headers: { ...(authorizations.length ? { authorization: authorizations[0] } : {}), ...(extra.cookie ? { cookie: extra.cookie } : {}) },
    body: extra.body,
    query: extra.query ?? {},
  };
}

// Catalog T60 (and T59): what each Authorization value means.
const TABLE: [string, string[], ReturnType<typeof readBearerCredentials>['kind']][] = [
  ['Bearer <tok>', [`Bearer ${TOKEN}`], 'token'],
  ['bearer <tok> (scheme is case-insensitive)', [`bearer ${TOKEN}`], 'token'],
  ['BEARER <tok>', [`BEARER ${TOKEN}`], 'token'],
  ['Bearer <token68 with padding>', ['Bearer abc-._~+/def=='], 'token'],
  ['Bearer  <tok> (two spaces)', [`Bearer  ${TOKEN}`], 'malformed'],
  ['Bearer\t<tok> (tab)', [`Bearer\t${TOKEN}`], 'malformed'],
  ['Bearer <tok> extra', [`Bearer ${TOKEN} extra`], 'malformed'],
  ['Bearer <tok>,Bearer <tok2>', [`Bearer ${TOKEN},Bearer ${TOKEN2}`], 'malformed'],
  ['Bearer <tok>, Bearer <tok2>', [`Bearer ${TOKEN}, Bearer ${TOKEN2}`], 'malformed'],
  ['Bearer <tok> (trailing space)', [`Bearer ${TOKEN} `], 'malformed'],
  ['Bearer (empty)', ['Bearer'], 'malformed'],
  ['Bearer  (space, empty)', ['Bearer '], 'malformed'],
  ['Bearer "<tok>" (quoted)', [`Bearer "${TOKEN}"`], 'malformed'],
  ['Bearer a=b (= inside)', ['Bearer a=b'], 'malformed'],
  ['two Authorization headers', [`Bearer ${TOKEN}`, `Bearer ${TOKEN2}`], 'malformed'],
  ['two identical Authorization headers', [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`], 'malformed'],
  ['Basic dXNlcjpwYXNz', ['Basic dXNlcjpwYXNz'], 'none'],
  ['Token <tok>', [`Token ${TOKEN}`], 'none'],
  ['Bearer<tok> (no separator: another scheme name)', [`Bearer${TOKEN}`], 'none'],
  ['(no header)', [], 'none'],
];

describe('readBearerCredentials (catalog T59/T60)', () => {
  it.each(TABLE)('when Authorization is %s, then the credentials are %s', (_name, values, kind) => {
    const result = readBearerCredentials(request(values));
    expect(result.kind).toBe(kind);
    if (result.kind === 'token') expect(result.token).toBe(values[0].slice('Bearer '.length));
  });

  it('when the token arrives only in the query string, the JSON body or a cookie, then there are no credentials (T59)', () => {
    expect(readBearerCredentials(request([], { query: { access_token: TOKEN } })).kind).toBe('none');
    expect(readBearerCredentials(request([], { body: { access_token: TOKEN } })).kind).toBe('none');
    expect(readBearerCredentials(request([], { cookie: `access_token=${TOKEN}` })).kind).toBe('none');
  });

  it('when the header carries a token and the query or body carries another, then the request is malformed (RFC 6750 §3.1)', () => {
    expect(readBearerCredentials(request([`Bearer ${TOKEN}`], { query: { access_token: TOKEN } }))).toEqual({
      kind: 'malformed',
      reason: 'Token sent by more than one method',
    });
    expect(readBearerCredentials(request([`Bearer ${TOKEN}`], { body: { access_token: TOKEN2 } })).kind).toBe('malformed');
  });

  it('when the body is an array, a string or absent, then only the header counts', () => {
    for (const body of [[{ access_token: TOKEN }], 'access_token=x', undefined, null]) {
      expect(readBearerCredentials(request([`Bearer ${TOKEN}`], { body })).kind).toBe('token');
    }
  });
});
