import { BlockList, isIPv4, isIPv6 } from 'node:net';

// Ranges a notification must never reach unless its host is allow-listed for local use (SSRF,
// catalog T55): everything that is not ordinary public unicast. Sources: the IANA IPv4 and IPv6
// special-purpose address registries (RFC 6890 and successors).
const IPV4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_RANGES: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  // IPv4-compatible (deprecated) and IPv4-mapped forms are refused outright: no public service
  // publishes them, and they are the classic way to smuggle 127.0.0.1 past an IPv6 check.
  ['::', 96, 'ipv4-compatible'],
  ['::ffff:0:0', 96, 'ipv4-mapped'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'reserved'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const ipv4Lists = IPV4_RANGES.map(([network, prefix, label]) => ({ label, list: subnet(network, prefix, 'ipv4') }));
const ipv6Lists = IPV6_RANGES.map(([network, prefix, label]) => ({ label, list: subnet(network, prefix, 'ipv6') }));

function subnet(network: string, prefix: number, family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return list;
}

/**
 * Why an IP address is not public unicast (e.g. "loopback", "private"), or undefined when it is.
 * Anything unparsable, and IPv6 with a zone index, is refused.
 */
export function nonPublicReason(address: string): string | undefined {
  if (isIPv4(address)) return ipv4Lists.find(({ list }) => list.check(address, 'ipv4'))?.label;
  if (!isIPv6(address) || address.includes('%')) return 'not an IP address';
  // BlockList matches IPv6 rules against IPv4-mapped addresses only by their IPv4 rules, so the
  // IPv6 checks must see the address as IPv6: test the expanded hextets.
  const hextets = expandIPv6(address);
  const canonical = hextets.map((part) => part.toString(16)).join(':');
  const label = ipv6Lists.find(({ list }) => list.check(canonical, 'ipv6'))?.label;
  if (label) return label;
  const embedded = embeddedIPv4(hextets);
  const embeddedReason = embedded ? nonPublicReason(embedded) : undefined;
  return embeddedReason ? `${embeddedReason} (embedded in IPv6)` : undefined;
}

/** NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that is where packets really go. */
function embeddedIPv4(h: number[]): string | undefined {
  const nat64 = h[0] === 0x64 && h[1] === 0xff9b && h.slice(2, 6).every((part) => part === 0);
  if (nat64) return toIPv4(h[6]!, h[7]!);
  if (h[0] === 0x2002) return toIPv4(h[1]!, h[2]!);
  return undefined;
}

function toIPv4(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
export function expandIPv6(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((part) => parseInt(part, 16));
}
