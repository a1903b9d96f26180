import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** The signing keys of the embedded authorization server (private JWKs), kept under DATA_DIR. */
export const JWKS_FILE = 'oauth-jwks.json';
/** Cookie-signing keys and the generated demo client secret, kept under DATA_DIR. */
export const SECRETS_FILE = 'oauth-secrets.json';

export interface SigningKeySet {
  keys: JWK[];
}

export interface LocalSecrets {
  cookieKeys: string[];
  /** Absent when DEMO_CLIENT_SECRET was set the first time; generated on first need. */
  demoClientSecret?: string;
}

/**
 * Signing keys, generated once (RS256 and ES256) and kept in `${dataDir}/oauth-jwks.json`
 * (mode 0600): tokens and the published JWKS survive a restart, and every instance sharing the
 * DATA_DIR signs with the same keys.
 */
export function loadOrCreateSigningKeys(dataDir: string): Promise<SigningKeySet> {
  return loadOrCreate(join(dataDir, JWKS_FILE), async () => ({
    keys: [await privateJwk('RS256'), await privateJwk('ES256')],
  }));
}

/** Cookie keys and (unless DEMO_CLIENT_SECRET is set) the demo client secret, generated once. */
export async function loadOrCreateSecrets(dataDir: string, withDemoSecret: boolean): Promise<LocalSecrets> {
  const secrets = await loadOrCreate<LocalSecrets>(join(dataDir, SECRETS_FILE), async () => ({
    cookieKeys: [randomBytes(32).toString('base64url')],
    ...(withDemoSecret ? { demoClientSecret: randomBytes(24).toString('base64url') } : {}),
  }));
  if (!withDemoSecret || secrets.demoClientSecret) return secrets;
  // Created while DEMO_CLIENT_SECRET was set, now unset: add a secret once, keeping the cookie keys.
  const updated = { ...secrets, demoClientSecret: randomBytes(24).toString('base64url') };
  await writeFile(join(dataDir, SECRETS_FILE), JSON.stringify(updated, null, 2), { mode: 0o600 });
  return updated;
}

/** The demo client secret for tools (`npm run token`): DEMO_CLIENT_SECRET, else the stored one. */
export async function readDemoClientSecret(dataDir: string): Promise<string | undefined> {
  try {
    const secrets = JSON.parse(await readFile(join(dataDir, SECRETS_FILE), 'utf8')) as LocalSecrets;
    return secrets.demoClientSecret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function privateJwk(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as JsonWebKey;
  const kid = await calculateJwkThumbprint(jwk as JWK);
  return { ...(jwk as JWK), kid, alg, use: 'sig' };
}

/**
 * Reads a JSON file, or creates it exactly once: written to a private temporary file, then
 * hard-linked into place, which fails if another process got there first — whose file wins.
 */
async function loadOrCreate<T>(path: string, create: () => Promise<T>): Promise<T> {
  const existing = await readPrivateJson<T>(path);
  if (existing !== undefined) return existing;
  await mkdir(join(path, '..'), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, JSON.stringify(await create(), null, 2), { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  return (await readPrivateJson<T>(path))!;
}

async function readPrivateJson<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Keys and secrets are for this user only, even if the file was copied in with looser rights.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return JSON.parse(text) as T;
}
