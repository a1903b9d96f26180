import { Body, Param, type PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors/domain-error.js';

type Location = 'body' | 'query' | 'params';

/** Validates (and transforms) one request part with a zod schema; failures are 400 with each field named. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly location: Location,
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value ?? (this.location === 'body' ? undefined : {}));
    if (result.success) return result.data;
    throw new ValidationError(summarize(result.error, this.location), toIssues(result.error, this.location));
  }
}

export function toIssues(error: z.ZodError, location: string): ValidationIssue[] {
  return error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({
      path: [location, ...issue.path.map(String), ...(key === undefined ? [] : [key])].join('.'),
      message: key === undefined ? issue.message : 'is not an accepted field',
    }));
  }).flat();
}

function summarize(error: z.ZodError, location: string): string {
  const issues = toIssues(error, location);
  return `Invalid ${location}: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`;
}

/** The JSON Schema of a zod schema (input side, since that is what clients send), for OpenAPI and MCP. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
}

function describeMethod(target: object, key: string | symbol | undefined): [object, string | symbol, PropertyDescriptor] {
  if (key === undefined) throw new Error('zod request decorators apply to handler parameters only');
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (!descriptor) throw new Error(`no handler ${String(key)}`);
  return [target, key, descriptor];
}

/** `@ZodBody(schema)`: validates the JSON body and documents it in Swagger from the same schema. */
export function ZodBody(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    Body(new ZodValidationPipe(schema, 'body'))(target, key, index);
    ApiBody({ schema: toJsonSchema(schema) as never })(...describeMethod(target, key));
  };
}

/** `@ZodQuery(schema)`: validates the query string (an object schema) and documents each parameter. */
export function ZodQuery(schema: z.ZodObject): ParameterDecorator {
  return (target, key, index) => {
    Query(new ZodValidationPipe(schema, 'query'))(target, key, index);
    const method = describeMethod(target, key);
    for (const [name, field] of Object.entries(schema.shape)) {
      ApiQuery({ name, required: !(field as z.ZodType).safeParse(undefined).success, schema: toJsonSchema(field as z.ZodType) as never })(...method);
    }
  };
}

/** `@ZodParams(schema)`: validates path parameters (an object schema). */
export function ZodParams(schema: z.ZodObject): ParameterDecorator {
  return (target, key, index) => {
    Param(new ZodValidationPipe(schema, 'params'))(target, key, index);
    const method = describeMethod(target, key);
    for (const [name, field] of Object.entries(schema.shape)) {
      ApiParam({ name, schema: toJsonSchema(field as z.ZodType) as never })(...method);
    }
  };
}
