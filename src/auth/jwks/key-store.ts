import { createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { JwksClient } from 'jwks-rsa';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { KeysUnavailableError } from '../auth.errors.js';
import { fetchJsonBounded } from './bounded-fetch.js';
import { discoverJwksUri } from './issuer-discovery.js';

const MAX_JWKS_BYTES = 64 * 1024;
const MIN_RSA_BITS = 2048;

export interface VerificationKey {
  kid: string;
  /** Parsed once per key set (jsonwebtoken would re-parse a PEM string on every verify). */
  key: KeyObject;
  /** The JWK's `alg` when published: the key may be used with that algorithm only. */
  alg?: string;
}

export type KeyLookup = { found: VerificationKey } | { found: undefined; reason: 'unknown_kid' };

/**
 * The issuer's signing keys, fetched through jwks-rsa (JWK parsing, `use=sig` filtering) with
 * what jwks-rsa leaves out added here: a hard total deadline and size cap on the fetch, one
 * in-flight fetch shared by all callers, a cooldown between refetches triggered by unknown `kid`s
 * (so a flood of random kids cannot fan out to the issuer), and serving the last good key set for
 * a bounded stale window while the issuer is unreachable — after which lookups fail with 503.
 */
@Injectable()
export class JwksKeyStore {
  private readonly logger = new Logger('Jwks');
  private keys = new Map<string, VerificationKey>();
  private fetchedAt = 0;
  private lastAttemptAt = 0;
  private inFlight?: Promise<void>;
  private jwksUri?: string;
  /** Incremented on every key-set change: lets caches of verified tokens drop what a rotation invalidates. */
  generation = 0;
  fetchCount = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.jwksUri = config.auth.jwksUri;
  }

  get ready(): boolean {
    return this.keys.size > 0 && !this.isExpired();
  }

  /** The key for `kid`, refreshing the set when it is due, or when `kid` is unknown and the cooldown allows. */
  async lookup(kid: string): Promise<KeyLookup> {
    const known = this.keys.get(kid);
    if (known && !this.isExpired()) {
      // A key we hold, inside the freshness + stale window, is answered at once; a due refresh runs in
      // the background. Awaiting it would make every request wait on a slow or hanging issuer (T70).
      if (this.isDue() && this.cooledDown()) this.refresh().catch((error: unknown) => this.refreshFailed(error));
      return { found: known };
    }
    // Unknown kid (or the whole set expired): only a fetch can tell, at most one per cooldown, shared.
    if (this.cooledDown() || this.inFlight) {
      try {
        await this.refresh();
      } catch (error) {
        this.refreshFailed(error);
        // The issuer is unreachable: we cannot tell a new key from a forged one, so 503, not 401.
        throw this.unavailable();
      }
    } else if (this.isExpired()) {
      throw this.unavailable();
    }
    const found = this.keys.get(kid);
    return found ? { found } : { found: undefined, reason: 'unknown_kid' };
  }

  /** Loads the key set now (readiness, start-up warm-up). */
  async warmUp(): Promise<boolean> {
    try {
      await this.refresh();
      return true;
    } catch (error) {
      this.logger.warn(`JWKS warm-up failed: ${(error as Error).message}`);
      return false;
    }
  }

  private isDue(): boolean {
    return Date.now() - this.fetchedAt > this.config.auth.jwks.cacheSeconds * 1000;
  }

  private cooledDown(): boolean {
    // The very first fetch is never held back; after that — success or failure, cold or warm — at most
    // one attempt per cooldown, so a flood of requests cannot hammer a down issuer (T71).
    return this.lastAttemptAt === 0 || Date.now() - this.lastAttemptAt >= this.config.auth.jwks.cooldownSeconds * 1000;
  }

  private unavailable(): KeysUnavailableError {
    return new KeysUnavailableError(Math.max(1, Math.ceil(this.config.auth.jwks.cooldownSeconds)));
  }

  private refreshFailed(error: unknown): void {
    this.logger.warn(`JWKS refresh failed: ${(error as Error).message}`);
  }

  private isExpired(): boolean {
    const { cacheSeconds, staleSeconds } = this.config.auth.jwks;
    return Date.now() - this.fetchedAt > (cacheSeconds + staleSeconds) * 1000;
  }

  private refresh(): Promise<void> {
    // Concurrent misses share one fetch (T70/T71): at most one request to the issuer in flight.
    this.inFlight ??= this.fetchKeys()
      .then(
        () => this.metrics?.recordJwksFetch('ok'),
        (error: unknown) => {
          // AbortSignal.timeout → TimeoutError: the issuer did not answer within the deadline.
          this.metrics?.recordJwksFetch((error as { name?: string })?.name === 'TimeoutError' ? 'timeout' : 'error');
          throw error;
        },
      )
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    this.lastAttemptAt = Date.now();
    this.fetchCount++;
    const deadlineMs = this.config.auth.jwks.timeoutMs;
    this.jwksUri ??= await discoverJwksUri(this.config.auth.issuer, deadlineMs);
    const client = new JwksClient({
      jwksUri: this.jwksUri,
      cache: false,
      rateLimit: false,
      fetcher: (uri: string) => fetchJsonBounded(uri, { deadlineMs, maxBytes: MAX_JWKS_BYTES }) as Promise<{ keys: never[] }>,
    });
    const signingKeys = await client.getSigningKeys();
    const next = new Map<string, VerificationKey>();
    const duplicated = new Set<string>();
    for (const signingKey of signingKeys) {
      const verificationKey = toVerificationKey(signingKey);
      if (!verificationKey) continue;
      if (next.has(verificationKey.kid)) duplicated.add(verificationKey.kid);
      next.set(verificationKey.kid, verificationKey);
    }
    // Two keys under one kid: we cannot know which one the issuer means, so that kid fails closed (T73).
    for (const kid of duplicated) {
      next.delete(kid);
      this.logger.warn(`JWKS publishes kid "${kid.slice(0, 64)}" more than once: not used`);
    }
    if (next.size === 0) throw new Error('the JWKS holds no usable signing key with a kid');
    if (!sameKeys(this.keys, next)) this.generation++;
    this.keys = next;
    this.fetchedAt = Date.now();
  }
}

function toVerificationKey(signingKey: { kid?: string; alg?: string; getPublicKey(): string }): VerificationKey | undefined {
  if (!signingKey.kid) return undefined;
  const key = createPublicKey(signingKey.getPublicKey());
  // Weak RSA keys are refused even when the issuer publishes them (T06).
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return undefined;
  return { kid: signingKey.kid, key, alg: signingKey.alg };
}

function sameKeys(a: Map<string, VerificationKey>, b: Map<string, VerificationKey>): boolean {
  if (a.size !== b.size) return false;
  for (const [kid, entry] of b) {
    const other = a.get(kid);
    if (!other || !other.key.equals(entry.key)) return false;
  }
  return true;
}
