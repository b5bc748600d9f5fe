// One error shape for every failure: { error, code, problems? }. Validation failures name each field
// as `path: reason`, in the same words the CLI uses for events (parseEvent).
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ConflictError, NotFoundError } from '@lifeguard/storage';

export type ErrorCode =
  | 'invalid_request'
  | 'malformed_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unavailable'
  | 'internal';

export interface ErrorBody {
  error: string;
  code: ErrorCode;
  problems?: string[];
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly problems?: string[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ErrorBody {
    return this.problems ? { error: this.message, code: this.code, problems: this.problems } : { error: this.message, code: this.code };
  }
}

/** Turns zod issues into `path: reason` lines; unknown fields are named one by one. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  const join = (path: readonly PropertyKey[]) => {
    const p = path.map(String).join('.');
    return prefix ? (p ? `${prefix}.${p}` : prefix) : p || '(root)';
  };
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) out.push(`${join([...issue.path, key])}: unknown field`);
    else out.push(`${join(issue.path)}: ${/ received undefined$/.test(issue.message) ? 'required field is missing' : issue.message}`);
  }
  return out;
}

/** Validates a request part with a zod schema, or throws a 400 naming every bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError(400, 'invalid_request', `invalid ${what}`, issuesToProblems(result.error.issues, prefix));
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (err instanceof ApiError) return reply.status(err.statusCode).send(err.body());
    if (err instanceof ConflictError) return reply.status(409).send({ error: err.message, code: 'conflict' } satisfies ErrorBody);
    if (err instanceof NotFoundError) return reply.status(404).send({ error: err.message, code: 'not_found' } satisfies ErrorBody);
    const code = (err as FastifyError).code;
    const status = (err as FastifyError).statusCode;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? 0;
      return reply.status(413).send({ error: `request body is larger than the limit of ${limit} bytes; send smaller batches`, code: 'payload_too_large' } satisfies ErrorBody);
    }
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}; send application/json`, code: 'unsupported_media_type' } satisfies ErrorBody);
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.status(status).send({ error: err.message, code: 'invalid_request' } satisfies ErrorBody);
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: 'internal error; nothing in this request was acknowledged unless a 2xx was returned', code: 'internal' } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}`, code: 'not_found' } satisfies ErrorBody);
  });
}

/**
 * JSON bodies only, parsed with JSON.parse so a syntax error says where it is ("... at position 12
 * (line 1 column 13)"). A "__proto__" key is refused outright: nothing legitimate sends one.
 */
export function installJsonParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(new ApiError(400, 'malformed_json', 'request body is empty; expected JSON'), undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      done(new ApiError(400, 'malformed_json', 'request body is not valid JSON', [`(body): ${(err as Error).message}`]), undefined);
      return;
    }
    if (text.includes('"__proto__"')) {
      done(new ApiError(400, 'invalid_request', 'request body contains a "__proto__" key', ['(body): "__proto__" is not allowed as a field name']), undefined);
      return;
    }
    done(null, value);
  });
}
