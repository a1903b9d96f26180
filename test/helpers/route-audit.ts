import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { type INestApplication, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC } from '../../src/auth/public.decorator.js';
import { REQUIRED_SCOPES, SCOPES_CHECKED_BY_HANDLER } from '../../src/auth/require-scopes.decorator.js';
import type { HardenedFastifyAdapter } from '../../src/common/http/hardened-fastify-adapter.js';

export type RoutePolicy =
  | { kind: 'public' }
  | { kind: 'scopes'; scopes: string[] }
  /** A valid token is required; each message's scope is checked by the handler (MCP endpoint, seed RPC). */
  | { kind: 'handler-checked' }
  | { kind: 'undeclared' };

export interface AuditedRoute {
  method: string;
  path: string;
  /** `Controller.method` for Nest routes; `(fastify)` for routes registered on Fastify directly. */
  source: string;
  policy: RoutePolicy;
}

/**
 * Who may stay public (catalog T30, CONTRACT.md "Discovery"): discovery documents, health, the API
 * docs, and the embedded authorization server's own endpoints. Anything else public is a finding.
 */
export const PUBLIC_ALLOW_LIST: RegExp[] = [
  /^\/\.well-known\/oauth-protected-resource(\/.*)?$/,
  /^\/\.well-known\/oauth-authorization-server(\/.*)?$/,
  /^\/\.well-known\/openid-configuration$/,
  /^\/health\/(live|ready)$/,
  /^\/docs(-json|-yaml)?(\/.*)?$/,
  /^\/oauth(\/.*)?$/,
];

export const isAllowedPublic = (path: string) => PUBLIC_ALLOW_LIST.some((pattern) => pattern.test(path));

/**
 * Every route Nest registered from a controller, with the access policy its metadata declares —
 * walked generically (DiscoveryService + MetadataScanner), so routes added by any module are seen.
 */
export function controllerRoutes(app: INestApplication): AuditedRoute[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const prefix = globalPrefix(app);
  const routes: AuditedRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller?.prototype) continue;
    const controllerPaths = asArray(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name] as object;
      const methodPaths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (methodPaths === undefined || requestMethod === undefined) continue;
      const policy = policyOf(handler, controller);
      for (const base of controllerPaths) {
        for (const path of asArray(methodPaths)) {
          routes.push({ method: RequestMethod[requestMethod], path: joinPath(prefix, base, path), source: `${controller.name}.${name}`, policy });
        }
      }
    }
  }
  return routes;
}

/**
 * Routes on the Fastify router itself (method + path), whoever registered them (Nest, Swagger's
 * static files, a module by hand): the adapter records each one from Fastify's `onRoute` hook,
 * from its construction on. Nest middleware never shows up here (@fastify/middie runs it from a
 * request hook, not as a route); HEAD routes Fastify adds beside each GET are kept, and count as
 * declared where the GET is.
 */
export function fastifyRoutes(app: INestApplication): { method: string; path: string }[] {
  const adapter = app.getHttpAdapter() as unknown as Partial<HardenedFastifyAdapter>;
  if (typeof adapter.registeredRoutes !== 'function') throw new Error('the route audit needs the app built by createApp (HardenedFastifyAdapter)');
  return adapter.registeredRoutes().map((route) => ({ method: route.method, path: route.url }));
}

export interface AuditFinding {
  route: string;
  problem: string;
}

/**
 * The static audit: a controller route must declare `@RequireScopes`, `@ScopesCheckedByHandler` or
 * `@Public()`; a public one must be on the allow-list; a Fastify route that no controller declares
 * (guards never run on it) must be on the allow-list too.
 */
export function auditRoutes(app: INestApplication): { routes: AuditedRoute[]; findings: AuditFinding[] } {
  const routes = controllerRoutes(app);
  const findings: AuditFinding[] = [];
  for (const route of routes) {
    const name = `${route.method} ${route.path} (${route.source})`;
    if (route.policy.kind === 'undeclared') findings.push({ route: name, problem: 'declares neither @RequireScopes, @ScopesCheckedByHandler nor @Public()' });
    if (route.policy.kind === 'public' && !isAllowedPublic(route.path)) findings.push({ route: name, problem: 'is @Public() but not on the public allow-list' });
  }
  const declared = new Set(routes.map((route) => `${route.method} ${route.path}`));
  const isDeclared = (method: string, path: string) => declared.has(`${method} ${path}`) || declared.has(`ALL ${path}`);
  const seen = new Set<string>();
  for (const route of fastifyRoutes(app)) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // `@All()` registers every method on its path; Fastify serves HEAD with the GET handler.
    if (isDeclared(route.method, route.path) || (route.method === 'HEAD' && isDeclared('GET', route.path))) continue;
    const name = `${route.method} ${route.path} (fastify)`;
    routes.push({ ...route, source: '(fastify)', policy: { kind: 'public' } });
    if (!isAllowedPublic(route.path)) findings.push({ route: name, problem: 'is registered on Fastify outside any controller (no guard runs) and not on the public allow-list' });
  }
  return { routes, findings };
}

/** A concrete URL path for a route pattern: every parameter becomes `value`, optional groups are kept. */
export function concretePath(pattern: string, value: string): string {
  return pattern.replace(/[{}]/g, '').replace(/:[A-Za-z0-9_]+/g, value).replace(/\*[A-Za-z0-9_]*/g, value);
}

function policyOf(handler: object, controller: object): RoutePolicy {
  const read = <T>(key: string): T | undefined =>
    (Reflect.getMetadata(key, handler) as T | undefined) ?? (Reflect.getMetadata(key, controller) as T | undefined);
  // Same precedence as the guards: @Public() first, then handler-checked, then declared scopes.
  if (read<boolean>(IS_PUBLIC)) return { kind: 'public' };
  if (read<boolean>(SCOPES_CHECKED_BY_HANDLER)) return { kind: 'handler-checked' };
  const scopes = read<string[]>(REQUIRED_SCOPES);
  return scopes && scopes.length > 0 ? { kind: 'scopes', scopes } : { kind: 'undeclared' };
}

function globalPrefix(app: INestApplication): string {
  const config = (app as unknown as { config?: { getGlobalPrefix?: () => string } }).config;
  return config?.getGlobalPrefix?.() ?? '';
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}

function asArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [''];
  return Array.isArray(value) ? value : [value];
}
