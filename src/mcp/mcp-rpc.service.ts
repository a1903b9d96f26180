import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../observability/metrics.service.js';
import { z } from 'zod';
import { AuthError } from '../auth/auth.errors.js';
import type { Principal } from '../auth/principal.js';
import { hasScopes } from '../auth/scope.js';
import { resourceMetadataUrl } from '../auth/token-claims.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { DomainError, NotFoundError, ValidationError } from '../common/errors/domain-error.js';
import { toIssues } from '../common/validation/zod-validation.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { McpCallLog } from './mcp-call-log.js';
import { McpRegistry, type ResourceEntry, type RpcAddress, type ToolEntry } from './mcp-registry.js';

/** The seed's RPC envelope: `{"method": "sales/get_forecast", "params": {…}}`. */
export const rpcEnvelopeSchema = z
  .object({
    method: z.string().min(1).max(200).describe('e.g. `sales/get_forecast`'),
    params: z.record(z.string(), z.unknown()).optional().describe('The method’s arguments (its MCP tool’s input schema)'),
  })
  .strict();
export type RpcEnvelope = z.output<typeof rpcEnvelopeSchema>;

const EMPTY_INPUT = z.object({}).strict();

/**
 * The seed-compatible RPC routes: each method is an MCP tool (or resource) of the registry,
 * checked against the same scope, validated by the same schema, served by the same method, and
 * audited like its MCP twin. Errors follow the REST contract (the exception filter's table).
 */
@Injectable()
export class McpRpcService {
  private readonly logger = new Logger('McpRpc');
  private readonly metadataUrl: string;

  constructor(
    private readonly registry: McpRegistry,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.metadataUrl = resourceMetadataUrl(config.publicUrl, '/mcp');
  }

  /** The route groups that exist for a kind (`sales-data`, `crm`, …), from the registry. */
  groups(kind: RpcAddress['kind']): string[] {
    return [...new Set(this.registry.rpcEntries().flatMap((entry) => (entry.rpc?.kind === kind ? [entry.rpc.group] : [])))].sort();
  }

  async call(kind: RpcAddress['kind'], group: string, envelope: RpcEnvelope, principal: Principal, requestId?: string): Promise<{ result: unknown }> {
    if (!this.groups(kind).includes(group)) throw new NotFoundError(`RPC route /mcp/${kind}/${group}`);
    const entry = this.registry.rpc(kind, group, envelope.method);
    if (!entry) {
      throw new ValidationError(`Invalid body: body.method is not a method of /mcp/${kind}/${group}`, [
        { path: 'body.method', message: `is not a method of /mcp/${kind}/${group}` },
      ]);
    }
    const calls = new McpCallLog(this.audit, principal, 'rpc', requestId, this.metrics);
    calls.begin(undefined, entry.kind, entry.name, envelope.params ?? {});
    try {
      if (!hasScopes(principal.scopes, [entry.scope])) {
        calls.settle(undefined, 'denied', 'insufficient_scope');
        this.metrics.recordAuthFailure('insufficient_scope');
        throw AuthError.insufficientScope(this.metadataUrl, [entry.scope], principal.scopes);
      }
      const input = this.parseParams(entry, envelope.params ?? {}, calls);
      const result = await this.invoke(entry, principal, input);
      calls.settle(undefined, 'ok');
      return { result };
    } catch (error) {
      // First settlement wins: a refusal above stays `denied`/`rejected`; a failing handler is `error`.
      calls.settle(undefined, 'error', error instanceof DomainError ? error.code : 'internal_error');
      throw error;
    } finally {
      calls.finish();
    }
  }

  private parseParams(entry: ToolEntry | ResourceEntry, params: Record<string, unknown>, calls: McpCallLog): unknown {
    const schema = entry.kind === 'tool' ? (entry.options.input ?? EMPTY_INPUT) : entry.options.params;
    const parsed = schema.safeParse(params);
    if (parsed.success) return parsed.data;
    const issues = toIssues(parsed.error, 'params');
    calls.settle(undefined, 'rejected', 'validation_error');
    throw new ValidationError(`Invalid params: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`, issues);
  }

  private async invoke(entry: ToolEntry | ResourceEntry, principal: Principal, input: unknown): Promise<unknown> {
    if (entry.kind === 'resource') {
      const uri = entry.template ? entry.template.expand(input as Record<string, string>) : entry.options.uri;
      return entry.invoke(principal, input, uri);
    }
    const output = await entry.invoke(principal, input);
    // The same output contract as the MCP twin (whose SDK checks structured content).
    const checked = entry.options.output?.safeParse(output);
    if (checked && !checked.success) {
      this.logger.error({ tool: entry.name, issues: checked.error.issues.slice(0, 5) }, 'tool output does not match its output schema');
      throw new Error(`output of ${entry.name} does not match its schema`);
    }
    return output;
  }
}
