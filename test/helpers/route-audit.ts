import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { type INestApplication, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC } from '../../src/auth/public.decorator.js';
import { REQUIRED_SCOPES, SCOPES_CHECKED_BY_HANDLER } from '../../src/auth/require-scopes.decorator.js';

export type RoutePolicy =
  | { kind: 'public' }
  | { kind: 'scopes'; scopes: string[] }
  /** A valid token is required; each message's scope is checked by the handler (MCP endpoint, seed RPC). */
  | { kind: 'handler-checked' }
  | { kind: 'undeclared' };

export interface AuditedRoute {
  method: string;
  path: string;
  /** `Controller.method` for Nest routes; `(express)` for routes registered on Express directly. */
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

// Nest mounts `consumer.apply(mw).forRoutes(…)` middleware as Express route layers too: on catch-all
// paths (`{/*splat}`, `{*path}`) or on the paths of the controllers named, each with Nest's
// pass-through wrapper (a function named `handler` taking `next`). They are not endpoints. That no
// catch-all answers on its own is checked at run time (an unrouted path must be 404).
const CATCH_ALL = /^\{?\/?\*[A-Za-z0-9_]*\}?$/;
const isNestMiddleware = (layer: Layer) =>
  (layer.route?.stack ?? []).length > 0 && layer.route!.stack!.every((entry) => entry.handle.name === 'handler' && entry.handle.length === 3);

/** Routes on the Express router itself (method + path), whoever registered them (Nest, Swagger, a module by hand). */
export function expressRoutes(app: INestApplication): { method: string; path: string }[] {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const stack = instance.router?.stack ?? instance._router?.stack ?? [];
  const routes: { method: string; path: string }[] = [];
  for (const layer of stack) {
    if (!layer.route || isNestMiddleware(layer)) continue;
    for (const path of asArray(layer.route.path)) {
      if (CATCH_ALL.test(path)) continue;
      for (const method of Object.keys(layer.route.methods)) routes.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path });
    }
  }
  return routes;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean>; stack?: { handle: (...args: never[]) => unknown }[] };
}

export interface AuditFinding {
  route: string;
  problem: string;
}

/**
 * The static audit: a controller route must declare `@RequireScopes`, `@ScopesCheckedByHandler` or
 * `@Public()`; a public one must be on the allow-list; an Express route that no controller declares
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
  for (const route of expressRoutes(app)) {
    // `@All()` registers every method on its path.
    if (declared.has(`${route.method} ${route.path}`) || declared.has(`ALL ${route.path}`)) continue;
    const name = `${route.method} ${route.path} (express)`;
    routes.push({ ...route, source: '(express)', policy: { kind: 'public' } });
    if (!isAllowedPublic(route.path)) findings.push({ route: name, problem: 'is registered on Express outside any controller (no guard runs) and not on the public allow-list' });
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
