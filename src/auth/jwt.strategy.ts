import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-jwt';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { KeysUnavailableError } from './auth.errors.js';
import { JwksKeyStore } from './jwks/key-store.js';
import type { Principal } from './principal.js';
import { checkHeader, principalFromClaims, TokenRejected } from './token-claims.js';

/** Where the guard leaves the already-parsed bearer token for passport-jwt to read. */
export const BEARER_TOKEN_KEY = Symbol('bearerToken');
/** Where the key provider notes which key (kid, key-set generation) verified the token. */
export const VERIFIED_WITH_KEY = Symbol('verifiedWith');

export interface VerifiedWith {
  kid: string;
  generation: number;
}

type RequestWithToken = FastifyRequest & { [BEARER_TOKEN_KEY]?: string; [VERIFIED_WITH_KEY]?: VerifiedWith };

/**
 * passport-jwt + jwks-rsa, configured from the validated config. passport-jwt (jsonwebtoken)
 * verifies the signature, `iss` (exact string), `aud` (a string, never a RegExp), `exp`/`nbf`
 * with the clock tolerance and the maximum age; the key provider and `validate` close the gaps
 * jsonwebtoken leaves (see token-claims.ts).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    keyStore: JwksKeyStore,
  ) {
    const auth = config.auth;
    super({
      // The guard has already read the Authorization header strictly (RFC 6750); nothing else is a source.
      jwtFromRequest: (request: RequestWithToken) => request[BEARER_TOKEN_KEY] ?? null,
      // jsonwebtoken accepts a KeyObject at run time; the typings only list PEM strings/buffers.
      secretOrKeyProvider: (request: RequestWithToken, rawToken: string, done: (error: unknown, key?: string) => void) => {
        resolveKey(rawToken, auth, keyStore).then(
          ({ key, kid, generation }) => {
            request[VERIFIED_WITH_KEY] = { kid, generation };
            done(null, key as unknown as string);
          },
          (error: unknown) => done(error),
        );
      },
      issuer: auth.issuer,
      audience: auth.audience,
      algorithms: auth.algorithms as never,
      ignoreExpiration: false,
      jsonWebTokenOptions: {
        clockTolerance: auth.clockToleranceSeconds,
        maxAge: `${auth.maxTokenAgeSeconds}s`,
      },
    });
  }

  validate(payload: Record<string, unknown>): Principal {
    return principalFromClaims(payload, this.config.auth, Math.floor(Date.now() / 1000));
  }
}

async function resolveKey(rawToken: string, auth: AppConfig['auth'], keyStore: JwksKeyStore) {
  const header = checkHeader(rawToken, auth);
  const lookup = await keyStore.lookup(header.kid);
  const generation = keyStore.generation;
  if (!lookup.found) throw new TokenRejected('unknown kid');
  const { key, alg } = lookup.found;
  // Each key is used with one algorithm family only (RFC 8725 §3.1, T06).
  if (alg && alg !== header.alg) throw new TokenRejected('alg does not match the key');
  const family = header.alg.startsWith('ES') ? 'ec' : header.alg === 'EdDSA' ? 'ed25519' : 'rsa';
  if (key.asymmetricKeyType !== family && !(family === 'rsa' && key.asymmetricKeyType === 'rsa-pss')) {
    throw new TokenRejected('alg does not match the key type');
  }
  return { key, kid: header.kid, generation };
}

export function isKeysUnavailable(error: unknown): error is KeysUnavailableError {
  return error instanceof KeysUnavailableError;
}
