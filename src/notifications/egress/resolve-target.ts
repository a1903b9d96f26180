import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { nonPublicReason } from './address-policy.js';

/** The one address a request will connect to: resolved once, checked, then pinned for the connection. */
export interface PinnedTarget {
  hostname: string;
  address: string;
  family: 4 | 6;
}

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Why an outbound request was not made. `permanent`: retrying cannot help (policy); otherwise DNS may recover. */
export class EgressRefusedError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'EgressRefusedError';
  }
}

/** A URL's hostname without the brackets of an IPv6 literal. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Resolves a hostname and checks every address it resolves to, so that one private record among
 * public ones is enough to refuse. The caller connects to the returned address only (no second
 * lookup at connect time, hence no DNS-rebinding window). Local addresses pass only with `allowLocal`.
 */
export async function resolvePublicTarget(
  hostname: string,
  options: { allowLocal: boolean; timeoutMs: number; lookup?: LookupAll },
): Promise<PinnedTarget> {
  const literal = isIP(hostname);
  const addresses = literal
    ? [{ address: hostname, family: literal }]
    : await lookupWithDeadline(hostname, options.lookup ?? defaultLookup, options.timeoutMs);
  if (addresses.length === 0) throw new EgressRefusedError(`${hostname} does not resolve`, false);
  if (!options.allowLocal) {
    for (const { address } of addresses) {
      const reason = nonPublicReason(address);
      // The address itself is not echoed: a tenant must not learn the internal network from our errors.
      if (reason) throw new EgressRefusedError(`${hostname} resolves to a non-public address (${reason})`, true);
    }
  }
  const [first] = addresses;
  return { hostname, address: first!.address, family: first!.family === 6 ? 6 : 4 };
}

async function lookupWithDeadline(hostname: string, lookup: LookupAll, timeoutMs: number): Promise<{ address: string; family: number }[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EgressRefusedError(`DNS lookup of ${hostname} timed out`, false)), timeoutMs);
  });
  try {
    return await Promise.race([lookup(hostname), deadline]);
  } catch (error) {
    if (error instanceof EgressRefusedError) throw error;
    throw new EgressRefusedError(`${hostname} does not resolve`, false);
  } finally {
    clearTimeout(timer);
  }
}
