// Routes declare zod schemas in their `schema` (body, querystring, params and each answer), and those
// schemas are the one validation path: Fastify runs them before the handler, which reads the parsed
// values (typed through ZodTypeProvider), and the OpenAPI document is generated from them.
import type { FastifySchema, FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import type { SwaggerTransform } from '@fastify/swagger';
import { z } from 'zod';
import { zodProblems } from '@lifeguard/core';
import { ApiError } from './errors.ts';
import { jsonSchema } from './schemas.ts';

/** Types `request.body`, `.query` and `.params` as the route's zod schemas parse them. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

/** How an error message names each request part ("invalid query"); bodies are named by their title. */
const PART_NAMES: Record<string, string> = { params: 'path', querystring: 'query', headers: 'headers' };

/**
 * Names a body schema in its validation errors ("invalid contact decision request"); the name is also
 * the schema's title in OpenAPI. Returns a copy, so one schema can be named differently per route.
 */
export function named<S extends z.ZodType>(schema: S, name: string): S {
  return schema.meta({ title: name });
}

/**
 * Validates a request part with the route's zod schema; a failure is a 400 in the one error shape,
 * naming every bad field by its path (zodProblems). A schema that is not zod fails at startup.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart, method, url }) => {
  if (!(schema instanceof z.ZodType))
    throw new Error(`${method} ${url}: the ${httpPart ?? 'request'} schema must be a zod schema`);
  const name =
    httpPart === 'body'
      ? ((z.globalRegistry.get(schema)?.title as string | undefined) ?? 'request body')
      : (PART_NAMES[httpPart ?? ''] ?? httpPart ?? 'request');
  return (data: unknown) => {
    // Fastify passes a missing body as null; parse it as absent, so optional bodies may be left out.
    const result = schema.safeParse(httpPart === 'body' && data === null ? undefined : data);
    if (result.success) return { value: result.data };
    return { error: new ApiError(400, 'invalid_request', `invalid ${name}`, zodProblems(result.error.issues)) };
  };
};

/** Answers are written as they are: their schemas document them, and type checks keep the two in step. */
export const jsonSerializerCompiler = () => (data: unknown) => JSON.stringify(data);

const REQUEST_PARTS = ['body', 'querystring', 'params', 'headers'] as const;

/** A body or answer for OpenAPI: a zod schema, or one per content type ({ description?, content }). */
function perContentType(part: unknown, io: 'input' | 'output'): unknown {
  if (part instanceof z.ZodType) return jsonSchema(part, io);
  const content = (part as { content?: Record<string, { schema?: unknown }> } | null)?.content;
  if (!content) return part;
  return {
    ...(part as object),
    content: Object.fromEntries(
      Object.entries(content).map(([type, c]) => [type, { ...c, schema: perContentType(c.schema, io) }]),
    ),
  };
}

/** @fastify/swagger's transform: each route's zod schemas as JSON Schema (requests as input, answers as output). */
export const zodToOpenApi: SwaggerTransform = ({ schema, url }) => {
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  for (const part of REQUEST_PARTS) if (schema[part]) out[part] = perContentType(schema[part], 'input');
  if (schema.response && typeof schema.response === 'object')
    out.response = Object.fromEntries(
      Object.entries(schema.response).map(([code, s]) => [code, perContentType(s, 'output')]),
    );
  return { schema: out as FastifySchema, url };
};
