/** Options of a create, passed by the adapters (REST header, MCP argument) as plain values. */
export interface WriteOptions {
  /** The client's Idempotency-Key: a retry with it returns the first result, nothing written twice. */
  idempotencyKey?: string;
}

/** Options of an update. */
export interface UpdateOptions {
  /** The version from `If-Match` (the body's `version` is part of the input itself). */
  ifMatch?: number;
}
