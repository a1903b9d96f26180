import { createHash, type Hash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import chain from 'stream-chain';
import { parser as jsonParser } from 'stream-json';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import { DomainError, ValidationError } from '../../common/errors/domain-error.js';

/** Where import rows come from: a CSV, NDJSON or JSON-array body, always streamed (never held whole in memory). */
export type ImportSource = { kind: 'csv' | 'ndjson' | 'json'; stream: Readable };

export interface SourceRecord {
  /** 1-based data row number (a CSV header is not a row). */
  row: number;
  record: unknown;
  /** Set when the row could not even be read (bad JSON line, wrong field count). */
  unreadable?: string;
}

export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

/** Counts and hashes bytes as they pass (the hash identifies the request for Idempotency-Key). */
class Meter extends Transform {
  bytes = 0;
  constructor(private readonly hash: Hash) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > MAX_IMPORT_BYTES) return done(new DomainError('payload_too_large', `An import body may not exceed ${MAX_IMPORT_BYTES / 1024 / 1024} MB`));
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/**
 * Reads import records one at a time without holding the body in memory, hashing it on the way.
 * `context` (entity, mapping) is part of the hash: the same bytes under another mapping are another request.
 */
export class ImportInput {
  private readonly hash = createHash('sha256');
  private readonly meter = new Meter(this.hash);
  private started = false;

  constructor(
    private readonly source: ImportSource,
    context: string,
  ) {
    this.hash.update(`${context}\n`);
  }

  get bytesRead(): number {
    return this.meter.bytes;
  }

  async *records(): AsyncGenerator<SourceRecord> {
    this.started = true;
    const metered = this.source.stream.pipe(this.meter);
    this.source.stream.on('error', (error) => metered.destroy(error));
    if (this.source.kind === 'ndjson') yield* this.ndjson(metered);
    else if (this.source.kind === 'json') yield* this.jsonArray(metered);
    else yield* this.csv(metered);
  }

  private async *csv(stream: Readable): AsyncGenerator<SourceRecord> {
    // bom: exports from Excel start with one; relax_column_count + info: a short row is rejected alone.
    const parser = stream.pipe(parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, info: true }));
    stream.on('error', (error) => parser.destroy(error));
    let row = 0;
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { invalid_field_length: number; columns: unknown[] | false } }>) {
      row++;
      const expected = Array.isArray(info.columns) ? info.columns.length : 0;
      const actual = Object.keys(record).length;
      if (info.invalid_field_length > 0 && actual !== expected) yield { row, record, unreadable: `has a different number of fields than the header (${expected})` };
      else yield { row, record };
    }
  }

  private async *ndjson(stream: Readable): AsyncGenerator<SourceRecord> {
    let row = 0;
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      row++;
      try {
        yield { row, record: JSON.parse(line) };
      } catch {
        yield { row, record: undefined, unreadable: 'is not valid JSON' };
      }
    }
  }

  /** The elements of a top-level JSON array, one at a time (stream-json: constant memory at any size). */
  private async *jsonArray(stream: Readable): AsyncGenerator<SourceRecord> {
    const elements = chain([stream, jsonParser(), streamArray()]);
    stream.on('error', (error) => elements.destroy(error));
    try {
      for await (const { key, value } of elements as AsyncIterable<{ key: number; value: unknown }>) yield { row: key + 1, record: value };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // Not JSON, cut short, or not an array: the body as a whole is unreadable (nothing has been written).
      throw new ValidationError('Invalid body: a JSON import is one array of objects', [{ path: 'body', message: `is not a JSON array (${(error as Error).message})` }]);
    }
  }

  /** The hash of everything read (call once the records are exhausted). */
  finalHash(): string {
    return this.hash.copy().digest('base64url');
  }

  /** Reads an unread body to its end and returns its hash (a retry compared with the original). */
  async drain(): Promise<string> {
    if (!this.started) {
      const metered = this.source.stream.pipe(this.meter);
      for await (const chunk of metered) void chunk;
    }
    return this.finalHash();
  }
}
