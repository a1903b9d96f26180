import { DomainError, type ErrorCode, ValidationError } from '../common/errors/domain-error.js';

/** Why a notifications request failed; the `reason` travels in the body next to the contract's `error` code. */
export enum NotificationsErrorReason {
  DestinationNotFound = 'destination_not_found',
  NotificationNotFound = 'notification_not_found',
  RuleNotFound = 'rule_not_found',
  DestinationDisabled = 'destination_disabled',
  DestinationNameTaken = 'destination_name_taken',
  RuleExists = 'rule_exists',
  StaleVersion = 'stale_version',
  EmailNotConfigured = 'email_not_configured',
  NotApplicable = 'not_applicable',
  RateLimited = 'rate_limited',
}

export class NotificationsError extends DomainError {
  constructor(code: ErrorCode, reason: NotificationsErrorReason, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(code, message, { reason, ...details }, headers);
  }

  static notFound(what: 'Destination' | 'Notification' | 'Rule'): NotificationsError {
    const reason = {
      Destination: NotificationsErrorReason.DestinationNotFound,
      Notification: NotificationsErrorReason.NotificationNotFound,
      Rule: NotificationsErrorReason.RuleNotFound,
    }[what];
    return new NotificationsError('not_found', reason, `${what} not found`);
  }

  static rateLimited(retryAfterSeconds: number, limit: number, windowSeconds: number): NotificationsError {
    return new NotificationsError(
      'rate_limited',
      NotificationsErrorReason.RateLimited,
      `This tenant may send ${limit} notifications per ${windowSeconds} s; retry later`,
      { retryAfterSeconds },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}

/** A 400 naming one request field, in the contract's validation_error shape. */
export function invalidField(path: string, message: string): ValidationError {
  return new ValidationError(`Invalid body: ${path} ${message}`, [{ path, message }]);
}
