import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './app-config.js';

describe('parseConfig', () => {
  it('when nothing is set, then the embedded defaults of CONTRACT.md apply', () => {
    const config = parseConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.resourceUrl).toBe('http://localhost:3000');
    expect(config.database.embedded).toBe(true);
    expect(config.auth.embeddedIssuer).toBe(true);
    expect(config.auth.issuer).toBe('http://localhost:3000/oauth');
    expect(config.auth.audience).toBe('http://localhost:3000');
    expect(config.auth.tenantClaim).toBe('org_id');
    expect(config.auth.algorithms).toEqual(['RS256', 'ES256']);
    expect(config.demo.seed).toBe(true);
    expect(config.tenants.autoProvision).toBe(false);
  });

  it('when PUBLIC_URL has a trailing slash and RESOURCE_URL is unset, then both derive without it', () => {
    const config = parseConfig({ PUBLIC_URL: 'https://api.example.com/', PORT: '8080' });
    expect(config.publicUrl).toBe('https://api.example.com');
    expect(config.resourceUrl).toBe('https://api.example.com');
    expect(config.auth.audience).toBe('https://api.example.com');
  });

  it('when DATABASE_URL is set, then the embedded database and demo data are off by default', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/app' });
    expect(config.database).toEqual({ url: 'postgres://u@127.0.0.1:5432/app', embedded: false });
    expect(config.demo.seed).toBe(false);
  });

  it('when PORT is not a number, then the error names PORT and its value', () => {
    expect(() => parseConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: 'abc' })).toThrow(/PORT .*"abc"/);
  });

  it('when DATABASE_URL is not a postgres URL, then the error names it without echoing it', () => {
    let message = '';
    try {
      parseConfig({ DATABASE_URL: 'mysql://secret@host/db' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(message).not.toContain('secret');
  });

  it('when AUTH_ALGORITHMS names HMAC or none, then start-up is refused', () => {
    expect(() => parseConfig({ AUTH_ALGORITHMS: 'RS256,HS256' })).toThrow(/AUTH_ALGORITHMS/);
    expect(() => parseConfig({ AUTH_ALGORITHMS: 'none' })).toThrow(/AUTH_ALGORITHMS/);
  });

  it('when several variables are bad, then each is named', () => {
    expect(() => parseConfig({ PORT: '70000', TENANT_AUTO_PROVISION: 'maybe' })).toThrow(/PORT.*TENANT_AUTO_PROVISION/);
  });
});
