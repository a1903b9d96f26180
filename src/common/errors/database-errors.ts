// SQLSTATE classes/codes and socket errors that mean "the database is not there right now",
// as opposed to a bad query: those are answered 503 + Retry-After, not 500.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400', '08000', '08001', '08003', '08004', '08006', '08P01']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
  'the database system is',
];

// TypeORM releases a transaction's connection the moment pg reports it broken; the transaction's
// next query then fails with one of these instead of the connection error (both seen when Postgres
// stops mid-request: the first from the query runner, the second from its entity manager). Our code
// never releases a runner before its work is done, so either means the connection broke.
const RELEASED_BY_CONNECTION_ERROR = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; name?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof candidate.name === 'string' && RELEASED_BY_CONNECTION_ERROR.has(candidate.name)) return true;
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code)) return true;
    const message = typeof candidate.message === 'string' ? candidate.message : '';
    if (UNAVAILABLE_MESSAGES.some((fragment) => message.includes(fragment))) return true;
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}
