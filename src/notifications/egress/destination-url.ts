import { bareHostname, EgressRefusedError, type LookupAll, resolvePublicTarget } from './resolve-target.js';

export interface EgressPolicy {
  /** Hostnames (WHATWG form) allowed to resolve to local addresses and to use http:. From config only. */
  allowLocalHosts: string[];
  /** Hosts a `slack` destination may point at (Slack incoming webhooks). */
  slackHosts: string[];
  timeoutMs: number;
}

export class DestinationUrlError extends Error {}

export interface CheckedUrl {
  url: string;
  allowLocal: boolean;
}

/**
 * The rules a webhook or Slack URL must meet, at creation and again before every delivery:
 * absolute https (http only for allow-listed local hosts), no credentials in it, Slack only on
 * Slack's hosts, and a host that does not resolve to a non-public address.
 */
export async function checkDestinationUrl(
  raw: string,
  type: 'webhook' | 'slack',
  policy: EgressPolicy,
  lookup?: LookupAll,
): Promise<CheckedUrl> {
  const { url, allowLocal } = checkUrlShape(raw, type, policy);
  try {
    await resolvePublicTarget(bareHostname(url), { allowLocal, timeoutMs: policy.timeoutMs, lookup });
  } catch (error) {
    // A name that does not resolve today may tomorrow; it is checked again before each delivery.
    if (!(error instanceof EgressRefusedError) || error.permanent) throw new DestinationUrlError(refusal(error));
  }
  return { url: url.href, allowLocal };
}

/** The synchronous half of the rules; `allowLocal` says whether the host is on the allow-list. */
export function checkUrlShape(raw: string, type: 'webhook' | 'slack', policy: EgressPolicy): { url: URL; allowLocal: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DestinationUrlError('must be an absolute https:// URL');
  }
  const local = policy.allowLocalHosts.includes(url.hostname);
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    throw new DestinationUrlError('must be an https:// URL');
  }
  if (url.username || url.password) throw new DestinationUrlError('must not carry credentials');
  if (type === 'slack' && !local && !policy.slackHosts.includes(url.hostname)) {
    throw new DestinationUrlError(`must be a Slack incoming-webhook URL (${policy.slackHosts.join(', ')})`);
  }
  url.hash = '';
  return { url, allowLocal: local };
}

function refusal(error: unknown): string {
  return error instanceof Error ? `is refused: ${error.message}` : 'is refused';
}
