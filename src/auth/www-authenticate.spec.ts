import { describe, expect, it } from 'vitest';
import { formatBearerChallenge, quoteString } from './www-authenticate.js';

const PRM = 'https://mcp.example.test/.well-known/oauth-protected-resource';

// RFC 6750 §3 (RFC 9110 §11.6.1): challenge = "Bearer" [ 1*SP auth-param *( OWS "," OWS auth-param ) ],
// auth-param = token BWS "=" BWS ( token / quoted-string ).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t \\x21-\\x7e])*"';
const CHALLENGE = new RegExp(`^Bearer(?: ${TOKEN}=(?:${TOKEN}|${QUOTED})(?:, ${TOKEN}=(?:${TOKEN}|${QUOTED}))*)?$`);

/** Parses the auth-params back (unescaping quoted-pairs), to prove the round trip. */
function parseParams(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  const pattern = new RegExp(`(${TOKEN})=(${QUOTED})`, 'g');
  for (const [, name, quoted] of header.matchAll(pattern)) params[name] = quoted.slice(1, -1).replace(/\\(.)/g, '$1');
  return params;
}

describe('WWW-Authenticate formatting (RFC 6750 §3)', () => {
  it('when there is no token, then the challenge has resource_metadata (and scope) but no error attribute', () => {
    const header = formatBearerChallenge({ resourceMetadata: PRM, scope: 'mcp:tools:crm:read' });
    expect(header).toBe(`Bearer scope="mcp:tools:crm:read", resource_metadata="${PRM}"`);
    expect(header).toMatch(CHALLENGE);
    expect(formatBearerChallenge({ resourceMetadata: PRM })).toBe(`Bearer resource_metadata="${PRM}"`);
  });

  it('when the scope is insufficient, then error, description, scope and resource_metadata appear in that order', () => {
    const header = formatBearerChallenge({
      error: 'insufficient_scope',
      errorDescription: 'The token lacks the scope mcp:tools:crm:write',
      scope: 'mcp:tools:crm:write',
      resourceMetadata: PRM,
    });
    expect(header).toBe(
      `Bearer error="insufficient_scope", error_description="The token lacks the scope mcp:tools:crm:write", scope="mcp:tools:crm:write", resource_metadata="${PRM}"`,
    );
    expect(header).toMatch(CHALLENGE);
  });

  it('when a value holds " or \\, then they are escaped as quoted-pairs and round-trip', () => {
    expect(quoteString('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    const description = 'a "quoted" \\path\\ and \\"both\\"';
    const header = formatBearerChallenge({ error: 'invalid_token', errorDescription: description, resourceMetadata: PRM });
    expect(header).toMatch(CHALLENGE);
    expect(parseParams(header)).toEqual({ error: 'invalid_token', error_description: description, resource_metadata: PRM });
  });

  it('when a value holds control characters (CR, LF, NUL, DEL…), then none reach the header and it stays one valid challenge', () => {
    const header = formatBearerChallenge({
      error: 'invalid_token',
      errorDescription: 'line1\r\nSet-Cookie: x=1\u0000\u0007\u007f\tend',
      resourceMetadata: PRM,
    });
    expect(header).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(header).toMatch(CHALLENGE);
  });

  it('when a value holds characters outside printable ASCII, then they are replaced, so Node can always set the header', async () => {
    const { validateHeaderValue } = await import('node:http');
    const header = formatBearerChallenge({ error: 'invalid_token', errorDescription: 'caf\u00e9 \u2028 \u{1F600} \u0100', resourceMetadata: PRM });
    expect(() => validateHeaderValue('WWW-Authenticate', header)).not.toThrow();
    expect(header).toMatch(CHALLENGE);
  });

  it('when a value is empty, then it is omitted rather than sent as an empty attribute', () => {
    expect(formatBearerChallenge({ errorDescription: '', scope: '', resourceMetadata: PRM })).toBe(`Bearer resource_metadata="${PRM}"`);
  });
});
