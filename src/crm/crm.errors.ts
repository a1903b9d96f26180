import { DomainError } from '../common/errors/domain-error.js';

/** The CRM module's errors. Messages never echo ids or values, so a 404 is the same for every miss. */
export class CrmError extends DomainError {
  static notFound(what: 'Account' | 'Contact' | 'Opportunity'): CrmError {
    return new CrmError('not_found', `${what} not found`);
  }

  static staleVersion(currentVersion: number): CrmError {
    return new CrmError('conflict', 'The record was changed by someone else; fetch it again and retry with its current version', {
      currentVersion,
    });
  }

  /** A body field names a record that does not exist in the caller's tenant (catalog T40). */
  static unknownReference(field: string, what: string): CrmError {
    return new CrmError('unprocessable', `${field} does not name ${what} of yours`, {
      issues: [{ path: `body.${field}`, message: `does not name ${what}` }],
    });
  }

  static duplicate(field: string): CrmError {
    return new CrmError('conflict', `Another record already has this ${field}`, { issues: [{ path: `body.${field}`, message: 'is already used' }] });
  }

  static versionMismatch(): CrmError {
    return new CrmError('validation_error', 'The body version and If-Match disagree', {
      issues: [{ path: 'headers.if-match', message: 'does not match body.version' }],
    });
  }
}
