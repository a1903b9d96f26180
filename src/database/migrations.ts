import { CreateAppRoleAndTenants1764200000000 } from './migrations/1764200000000-create-app-role-and-tenants.js';
import { CreateCrm1764300000000 } from './migrations/1764300000000-create-crm.js';
import { CreateIdempotencyKeys1764300000001 } from './migrations/1764300000001-create-idempotency-keys.js';
import { CreateNotifications1764400000000 } from './migrations/1764400000000-create-notifications.js';
import { NotificationOutboxLocalHost1764400000001 } from './migrations/1764400000001-notification-outbox-local-host.js';
import { CreateOauthState1764500000000 } from '../authorization-server/migrations/1764500000000-create-oauth-state.js';
import { CreateAuditLog1764600000000 } from '../audit/migrations/1764600000000-create-audit-log.js';
import { LeakproofIlike1764700000000 } from './migrations/1764700000000-leakproof-ilike.js';
import { SalesForecastIndexes1764800000000 } from '../sales/migrations/1764800000000-sales-forecast-indexes.js';
import { NotifyTenantDataChanged1764900000000 } from './migrations/1764900000000-notify-tenant-data-changed.js';
import { TenantSuspensionAndTokenRevocation1765000000000 } from '../auth/migrations/1765000000000-tenant-suspension-and-token-revocation.js';
import { AuditLogTimeOrderedIds1765100000000 } from '../audit/migrations/1765100000000-audit-log-time-ordered-ids.js';
import { AuditLogDigestCheckWithoutBoundedRegex1765200000000 } from '../audit/migrations/1765200000000-audit-log-digest-check-without-bounded-regex.js';

/**
 * Every migration, in order. Feature modules add theirs here (never edit one that has landed).
 * Listed explicitly rather than globbed so the same list works from TypeScript (tests) and dist.
 */
export const migrations = [
  CreateAppRoleAndTenants1764200000000,
  CreateCrm1764300000000,
  CreateIdempotencyKeys1764300000001,
  CreateNotifications1764400000000,
  NotificationOutboxLocalHost1764400000001,
  CreateOauthState1764500000000,
  CreateAuditLog1764600000000,
  LeakproofIlike1764700000000,
  SalesForecastIndexes1764800000000,
  NotifyTenantDataChanged1764900000000,
  TenantSuspensionAndTokenRevocation1765000000000,
  AuditLogTimeOrderedIds1765100000000,
  AuditLogDigestCheckWithoutBoundedRegex1765200000000,
];
