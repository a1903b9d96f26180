import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// Catalog T14: the JWT/MCP stack must not resolve to a version with a known token-forgery or
// DoS bug anywhere in the tree (a nested older copy counts too). The CVE behind each floor:
const FLOORS: Record<string, { version: string; why: string; required: boolean }> = {
  jsonwebtoken: { version: '9.0.0', why: 'CVE-2022-23539/23540/23541 (alg none, RS→HS key confusion)', required: true },
  jws: { version: '3.2.3', why: 'CVE-2025-65945', required: true },
  'passport-jwt': { version: '4.0.1', why: 'pulls jsonwebtoken 9', required: true },
  'jwks-rsa': { version: '4.1.0', why: 'cacheMaxAgeFallback and the fetcher option this app relies on', required: true },
  jose: { version: '6.0.0', why: 'CVE-2022-36083, CVE-2024-28176 (JWE DoS)', required: true },
  typeorm: { version: '0.3.26', why: 'CVE-2025-60542 (column injection via save/update)', required: true },
  '@modelcontextprotocol/sdk': { version: '1.24.0', why: 'CVE-2025-66414 (DNS rebinding protection off)', required: false },
};

function compare(a: string, b: string): number {
  const parse = (version: string) => version.split('-')[0].split('.').map(Number);
  const [x, y] = [parse(a), parse(b)];
  for (let index = 0; index < 3; index++) if ((x[index] ?? 0) !== (y[index] ?? 0)) return (x[index] ?? 0) - (y[index] ?? 0);
  return 0;
}

describe('T14 dependency floor of the JWT/MCP stack (package-lock.json)', () => {
  it('when the lock file is read, then every copy of each package is at or above its floor, and the required ones are there', async () => {
    const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string }> };
    const found = new Map<string, string[]>();
    const violations: string[] = [];
    for (const [path, info] of Object.entries(lock.packages)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path)?.[1];
      if (!name || !(name in FLOORS) || !info.version) continue;
      found.set(name, [...(found.get(name) ?? []), `${path}@${info.version}`]);
      if (compare(info.version, FLOORS[name].version) < 0) violations.push(`${path}@${info.version} < ${FLOORS[name].version}: ${FLOORS[name].why}`);
    }
    expect(violations).toEqual([]);
    for (const [name, floor] of Object.entries(FLOORS)) if (floor.required) expect(found.get(name), name).toBeDefined();
  });

  it('when the installed copies are read, then they are the locked versions (the tests ran against what ships)', async () => {
    const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string }> };
    for (const name of Object.keys(FLOORS)) {
      const locked = lock.packages[`node_modules/${name}`]?.version;
      if (!locked) continue;
      const installed = JSON.parse(await readFile(`node_modules/${name}/package.json`, 'utf8')) as { version: string };
      expect(installed.version, name).toBe(locked);
    }
  });

  it('when versions are compared, then the comparison is numeric per part', () => {
    expect(compare('9.0.3', '9.0.0')).toBeGreaterThan(0);
    expect(compare('0.3.9', '0.3.26')).toBeLessThan(0);
    expect(compare('1.24.0', '1.24.0')).toBe(0);
    expect(compare('10.0.0', '9.9.9')).toBeGreaterThan(0);
  });
});
