import { iso } from '../sql.js';
import type { DestinationRow } from './destinations.repository.js';
import type { DestinationView } from './destinations.schemas.js';

/** A Slack incoming-webhook URL is itself the credential: only its non-secret start is shown. */
export function maskSlackUrl(url: string): string {
  const parsed = new URL(url);
  const segments = parsed.pathname.split('/');
  if (segments.length > 1) segments[segments.length - 1] = '****';
  return `${parsed.origin}${segments.join('/')}`;
}

/** The API view of a destination; the signing secret only when it was just created or rotated. */
export function toDestinationView(row: DestinationRow, signingSecret?: string): DestinationView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    ...(row.url ? { url: row.type === 'slack' ? maskSlackUrl(row.url) : row.url } : {}),
    ...(row.recipients ? { recipients: row.recipients } : {}),
    enabled: row.enabled,
    allowLocal: row.allow_local,
    hasSigningSecret: row.signing_secret !== null,
    ...(signingSecret ? { signingSecret } : {}),
    version: row.version,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
