import { DomainError } from '../common/errors/domain-error.js';

/** The insights module's errors. A miss never says whether the id exists in another tenant. */
export class InsightsError extends DomainError {
  static accountNotFound(): InsightsError {
    return new InsightsError('not_found', 'Account not found');
  }
}
