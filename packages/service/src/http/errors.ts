// One error shape for every failure: { error, code, problems? }. Validation failures name each field
// as `path: reason` (zodProblems), in the same words the CLI uses for events (parseEvent).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { LIMITS, unstorableReason, zodProblems } from '@lifeguard/core';
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
  | 'rate_limited'
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
    /** Sent as Retry-After (seconds) with 429 and 503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ErrorBody {
    return this.problems
      ? { error: this.message, code: this.code, problems: this.problems }
      : { error: this.message, code: this.code };
  }
}

/**
 * Why the store failed, in words an operator can act on, for store failures that are not the request's
 * fault (null for anything else). SQLite's codes are better-sqlite3's; PostgreSQL's are SQLSTATEs.
 */
export function storeFailureReason(err: unknown): string | null {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  if (code === 'SQLITE_FULL' || code === '53100') return "the store's disk is full";
  if (code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_') || code === '58030')
    return 'the store could not read or write its disk';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === '55P03' || code === '40P01')
    return 'the store is busy';
  if (code === 'SQLITE_READONLY' || code === '25006') return 'the store is read-only';
  if (
    code === '53300' ||
    code === '57P03' ||
    code === '57P01' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT'
  )
    return 'the database cannot be reached';
  if (code === '53200') return 'the database is out of memory';
  return null;
}

/** A 503 naming why the store failed, with Retry-After: nothing from the request was stored. */
export function storeUnavailable(err: unknown, retryAfterSeconds = 5): ApiError {
  const why = storeFailureReason(err) ?? 'the event store is unavailable';
  return new ApiError(
    503,
    'unavailable',
    `${why}; nothing from this request was stored, retry later`,
    undefined,
    retryAfterSeconds,
  );
}

/**
 * Validates a value that does not come straight from a request part (a draft a domain method is
 * handed, which other callers than HTTP use too), or throws a 400 naming every bad field. Request
 * bodies, queries and paths are validated by their route schemas instead (zodRoutes.ts).
 */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError(400, 'invalid_request', `invalid ${what}`, zodProblems(result.error.issues));
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (err instanceof ApiError) {
      if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.status(err.statusCode).send(err.body());
    }
    if (err instanceof ConflictError)
      return reply.status(409).send({ error: err.message, code: 'conflict' } satisfies ErrorBody);
    if (err instanceof NotFoundError)
      return reply.status(404).send({ error: err.message, code: 'not_found' } satisfies ErrorBody);
    const code = (err as FastifyError).code;
    const status = (err as FastifyError).statusCode;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? 0;
      return reply.status(413).send({
        error: `request body is larger than the limit of ${limit} bytes; send smaller batches`,
        code: 'payload_too_large',
      } satisfies ErrorBody);
    }
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({
        error: `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}; send application/json`,
        code: 'unsupported_media_type',
      } satisfies ErrorBody);
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.status(status).send({ error: err.message, code: 'invalid_request' } satisfies ErrorBody);
    }
    if (storeFailureReason(err) !== null) {
      request.log.error({ err }, 'store failure');
      reply.header('retry-after', '5');
      return reply.status(503).send({
        error: `${storeFailureReason(err)}; nothing in this request was acknowledged, retry later`,
        code: 'unavailable',
      } satisfies ErrorBody);
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({
      error: 'internal error; nothing in this request was acknowledged unless a 2xx was returned',
      code: 'internal',
    } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: `no route ${request.method} ${request.url.split('?')[0]}`,
      code: 'not_found',
    } satisfies ErrorBody);
  });
}

/** Most "path: reason" lines one body's unstorable strings produce; the count says how many more. */
const MAX_STRING_PROBLEMS = 20;

/**
 * Strings neither store can keep as sent: PostgreSQL refuses U+0000 in text, and an unpaired UTF-16
 * surrogate ("\ud800" in JSON) has no UTF-8 form, so two ids differing only there would collapse into
 * one. Both stores refuse them here, before anything is stored, naming each place.
 */
export function unstorableStrings(value: unknown): string[] {
  const out: string[] = [];
  let more = 0;
  const check = (s: string, path: string) => {
    const reason = unstorableReason(s);
    if (reason === null) return;
    if (out.length < MAX_STRING_PROBLEMS) out.push(`${path || '(body)'}: ${reason}`);
    else more++;
  };
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string') check(v, path);
    else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(item, `${path}[${i}]`);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const at = path ? `${path}.${key}` : key;
        check(key, `${at} (field name)`);
        walk(item, at);
      }
    }
  };
  walk(value, '');
  if (more > 0) out.push(`(body): ${more} more strings like these`);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies only, parsed with JSON.parse so a syntax error says where it is ("... at position 12
 * (line 1 column 13)"). Bytes that are not UTF-8 are refused rather than replaced by U+FFFD, and so
 * are strings no store can keep (unstorableStrings). A "__proto__" key is refused outright: nothing
 * legitimate sends one.
 */
export function installJsonParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(
        new ApiError(400, 'malformed_json', 'request body is not valid UTF-8; send JSON encoded as UTF-8'),
        undefined,
      );
      return;
    }
    if (text.trim() === '') {
      done(new ApiError(400, 'malformed_json', 'request body is empty; expected JSON'), undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      done(
        new ApiError(400, 'malformed_json', 'request body is not valid JSON', [`(body): ${(err as Error).message}`]),
        undefined,
      );
      return;
    }
    if (text.includes('"__proto__"')) {
      done(
        new ApiError(400, 'invalid_request', 'request body contains a "__proto__" key', [
          '(body): "__proto__" is not allowed as a field name',
        ]),
        undefined,
      );
      return;
    }
    // Only an escape ("\u0000", "\udXXX") can put either into a parsed string: skip the walk otherwise.
    if (/\\u(0000|d[89a-f])/i.test(text)) {
      const problems = unstorableStrings(value);
      if (problems.length > 0) {
        done(
          new ApiError(
            400,
            'invalid_request',
            'request body holds text that cannot be stored; nothing was stored',
            problems,
          ),
          undefined,
        );
        return;
      }
    }
    done(null, value);
  });
}

/**
 * Longest path parameter the router takes, percent-encoded: an id of LIMITS.idLength UTF-16 units is at
 * most 9 characters per unit encoded (a 3-byte UTF-8 character as %XX%XX%XX). Longer ids then reach the
 * handler and get the same 400 "must be at most 256 characters" as in a body; only absurd paths get 414.
 */
export const MAX_PARAM_LENGTH = LIMITS.idLength * 9;

/** Fastify's own router errors (a bad percent-encoding, an over-long parameter) in the one error shape. */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    reply.code(414).send({
      error: `a path segment is longer than ${MAX_PARAM_LENGTH} characters; ids are at most ${LIMITS.idLength} characters`,
      code: 'invalid_request',
    });
  } else if (err.code === 'FST_ERR_BAD_URL') {
    reply.code(400).send({ error: 'the path is not valid percent-encoded UTF-8', code: 'invalid_request' });
  } else {
    reply.code(err.statusCode ?? 400).send({ error: err.message, code: 'invalid_request' });
  }
}

/**
 * Errors Node's HTTP parser raises before any route runs (headers over the size limit: 431; a timeout:
 * 408; anything else: 400), written on the socket in the one error shape.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: import('node:net').Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, body]: [number, string, ErrorBody] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          { error: 'request headers are larger than the limit of 16 KiB', code: 'invalid_request' },
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', { error: 'the request was not received in time', code: 'invalid_request' }]
        : [400, 'Bad Request', { error: 'the request is not valid HTTP', code: 'invalid_request' }];
  const json = JSON.stringify(body);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${json}`,
    );
  socket.destroy(err);
}
