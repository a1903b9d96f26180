/**
 * The scope catalog: the one source of truth. Guards, RFC 9728 `scopes_supported`, Swagger's
 * security requirements, the embedded authorization server's offered scopes and the MCP
 * `tools/list` filter are all derived from this enum.
 */
export enum Scope {
  SalesDataRead = 'mcp:tools:sales-data:read',
  CrmRead = 'mcp:tools:crm:read',
  CrmWrite = 'mcp:tools:crm:write',
  NotificationsSend = 'mcp:tools:notifications:send',
  NotificationsManage = 'mcp:tools:notifications:manage',
  CustomerInsightsRead = 'mcp:resources:customer-insights:read',
  AuditRead = 'mcp:admin:audit:read',
}

/** What each scope grants, for humans (Swagger, consent page, docs). */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  [Scope.SalesDataRead]: 'Read revenue, pipeline, win rates and forecasts',
  [Scope.CrmRead]: 'Read accounts, contacts, opportunities and activities',
  [Scope.CrmWrite]: 'Create and update CRM records, import, log activities',
  [Scope.NotificationsSend]: 'Send notifications and read their status',
  [Scope.NotificationsManage]: "Create, update and delete the tenant's notification destinations",
  [Scope.CustomerInsightsRead]: 'Read account insights',
  [Scope.AuditRead]: "Read the tenant's audit trail",
};

export const ALL_SCOPES: readonly Scope[] = Object.values(Scope);

/**
 * Does one granted scope satisfy one required scope? Exactly three ways (CONTRACT.md):
 * equal; a `prefix:*` wildcard covering it; or a parent (`mcp:tools:sales-data` grants
 * `mcp:tools:sales-data:read`). Case-sensitive, never a substring match.
 */
export function scopeSatisfies(granted: string, required: string): boolean {
  if (granted === required) return true;
  if (granted.endsWith(':*')) return required.startsWith(granted.slice(0, -1));
  return granted.length > 0 && required.startsWith(`${granted}:`);
}

/** True when the granted scopes satisfy every required scope. */
export function hasScopes(granted: readonly string[], required: readonly string[]): boolean {
  return required.every((needed) => granted.some((have) => scopeSatisfies(have, needed)));
}

/** The required scopes the granted set does not satisfy. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  return required.filter((needed) => !granted.some((have) => scopeSatisfies(have, needed)));
}
