/**
 * The one formatter of `WWW-Authenticate: Bearer …` challenges in the app (RFC 6750 §3,
 * RFC 9728 §5.1). Values are quoted-strings: `\` and `"` escaped, control characters blanked,
 * anything beyond printable ASCII replaced, so nothing a client sent can break the header.
 */
export interface BearerChallenge {
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  errorDescription?: string;
  /** Space-separated scopes the request needs. */
  scope?: string;
  /** URL of the RFC 9728 protected-resource metadata document. */
  resourceMetadata: string;
}

export function quoteString(value: string): string {
  // eslint-disable-next-line no-control-regex
  const noControls = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  // Only printable ASCII: Node refuses (throws on) a header value with characters above U+00FF, and
  // values such as a token's own scope strings may be echoed here, so a hostile token must not be
  // able to turn its 401/403 into a 500. obs-text is obsolete anyway (RFC 9110 §5.5).
  const printable = noControls.replace(/[^\u0020-\u007e]/g, '?');
  return `"${printable.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

export function formatBearerChallenge(challenge: BearerChallenge): string {
  const parameters: string[] = [];
  if (challenge.error) parameters.push(`error=${quoteString(challenge.error)}`);
  if (challenge.errorDescription) parameters.push(`error_description=${quoteString(challenge.errorDescription)}`);
  if (challenge.scope) parameters.push(`scope=${quoteString(challenge.scope)}`);
  parameters.push(`resource_metadata=${quoteString(challenge.resourceMetadata)}`);
  return `Bearer ${parameters.join(', ')}`;
}
