// Known-image matching: POST /v1/media/match hashes an upload (or takes the platform's own hashes)
// and looks it up in the tenant's hash banks; a match opens a case against the uploader. The image is
// hashed in memory and dropped: it is never stored, logged, or sent back. Bank management under
// /v1/banks is for admin keys.
//
// Scope: matching needs `decide`. The platform calls it inline, before it delivers or publishes the
// upload, and acts on the answer (hold or block), exactly like POST /v1/decisions/message; an ingest
// key feeds the event stream and gets nothing back to act on.
import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isUtf8 } from 'node:buffer';
import {
  BankError,
  HashListParser,
  HEX_LENGTH,
  isHashKind,
  type HashKind,
  type HashListOptions,
  type HashListResult,
} from '@lifeguard/pdq';
import type { ServiceContext } from '../context.ts';
import { auth } from '../http/auth.ts';
import { ApiError, type ErrorBody } from '../http/errors.ts';
import { API_KEY_SECURITY, errorSchema } from '../http/schemas.ts';
import { bankImportSchema, bankListSchema, bankSchema, mediaOrVideoMatchSchema } from '../http/responseSchemas.ts';
import { MediaBankManager } from '../media/bankManager.ts';
import { MediaMatcher, type MediaOptions, type UploadHashes } from '../media/mediaMatcher.ts';
import { VideoMatcher } from '../media/videoMatcher.ts';
import {
  bankHashParams,
  bankNameParams,
  createBankBody,
  hashMatchBody,
  importQuery,
  removeHashQuery,
  uploadIdsQuery,
} from '../media/schemas.ts';
import { named, type ZodTypeProvider } from '../http/zodRoutes.ts';

export const IMAGE_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const VIDEO_CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/webm', 'video/x-matroska'] as const;
const HASH_LIST_CONTENT_TYPES = ['text/plain', 'text/csv'];
/** Formats the decoder found that an upload may be (content types above). */
const IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp']);

export interface MediaRouteOptions {
  ctx: ServiceContext;
  media?: MediaOptions;
}

function bankErrorToApi(err: BankError): ApiError {
  switch (err.code) {
    case 'not_found':
      return new ApiError(404, 'not_found', err.message);
    case 'exists':
    case 'disabled':
      return new ApiError(409, 'conflict', err.message);
    default:
      return new ApiError(400, 'invalid_request', err.message, [
        `${err.code === 'invalid_name' ? 'name' : 'hash'}: ${err.message}`,
      ]);
  }
}

/** An upload of bytes names its uploader in the query; a JSON body may name it in the body instead. */
function uploaderIds(query: Partial<z.output<typeof uploadIdsQuery>>): z.output<typeof uploadIdsQuery> {
  const { userId } = query;
  if (userId === undefined)
    throw new ApiError(400, 'invalid_request', 'invalid query', ['userId: required field is missing']);
  return { ...query, userId };
}

export async function mediaRoutes(instance: FastifyInstance, opts: MediaRouteOptions): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { ctx } = opts;
  const banks = new MediaBankManager(ctx.storage);
  const matcher = new MediaMatcher(ctx.storage, banks, opts.media);
  const videos = new VideoMatcher(ctx.storage, banks, matcher);
  const limits = matcher.options;
  const err = errorSchema;
  const errors = { 400: err, 401: err, 403: err, 404: err, 409: err };

  // Raw bodies for these routes only (the rest of the API is JSON-only). Buffers stay in memory.
  app.addContentTypeParser(
    [...IMAGE_CONTENT_TYPES],
    { parseAs: 'buffer', bodyLimit: limits.maxImageBytes },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser(
    [...VIDEO_CONTENT_TYPES],
    { parseAs: 'buffer', bodyLimit: limits.maxVideoBytes },
    (_req, body, done) => done(null, new VideoBody(body as Buffer)),
  );
  // Kept as bytes: a 60 MB list read as one string, then split, took over a gigabyte (see parseHashListBytes).
  app.addContentTypeParser(
    HASH_LIST_CONTENT_TYPES,
    { parseAs: 'buffer', bodyLimit: limits.maxHashListBytes },
    (_req, body, done) => done(null, new TextBody(body as Buffer)),
  );

  // Errors that the API-wide handler words for JSON batches get words for images here; the rest go on to it.
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const code = (error as FastifyError).code;
    const isMatch = request.url.startsWith('/v1/media/');
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_TYPE') {
      const wanted = isMatch
        ? `${IMAGE_CONTENT_TYPES.join(', ')} (the image bytes), ${VIDEO_CONTENT_TYPES.join(', ')} (the video bytes) or application/json (hashes)`
        : 'text/plain (a hash list, one hash a line)';
      return reply.status(415).send({
        error: `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}; send ${wanted}`,
        code: 'unsupported_media_type',
      } satisfies ErrorBody);
    }
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const type = String(request.headers['content-type'] ?? '');
      const limit = isMatch
        ? type.startsWith('video/')
          ? limits.maxVideoBytes
          : limits.maxImageBytes
        : (request.routeOptions.bodyLimit ?? 0);
      return reply.status(413).send({
        error: `request body is larger than the limit of ${limit} bytes`,
        code: 'payload_too_large',
        problems: [`(body): over ${limit} bytes`],
      } satisfies ErrorBody);
    }
    if (error instanceof BankError)
      return reply.status(bankErrorToApi(error).statusCode).send(bankErrorToApi(error).body());
    throw error;
  });

  app.post(
    '/media/match',
    {
      config: { scope: 'decide' },
      // The route's limit is the larger of the two (it overrides the parsers' own); each kind's limit is
      // checked here from Content-Length, before the body is read.
      bodyLimit: Math.max(limits.maxImageBytes, limits.maxVideoBytes),
      preParsing: async (request, _reply, payload) => {
        const type = String(request.headers['content-type'] ?? '');
        const limit = type.startsWith('video/') ? limits.maxVideoBytes : limits.maxImageBytes;
        if (Number(request.headers['content-length'] ?? 0) > limit) {
          throw new ApiError(413, 'payload_too_large', `request body is larger than the limit of ${limit} bytes`, [
            `(body): over ${limit} bytes`,
          ]);
        }
        return payload;
      },
      schema: {
        summary: 'Hash an uploaded image or video (or take its hashes) and look it up in the known-image banks',
        description:
          `Body: the image itself (Content-Type ${IMAGE_CONTENT_TYPES.join(', ')}; at most ${limits.maxImageBytes} bytes) with ?userId=&conversationId=&messageId=, ` +
          'or JSON {pdq, quality?, md5?, sha256?, userId, conversationId?, messageId?} for hashes made by the platform (e.g. on the device). ' +
          `PDQ matches at distance <= ${limits.maxDistance} when quality >= ${limits.minQuality}; MD5 and SHA-256 match exactly. ` +
          'A match opens (or updates) a critical case against the uploader holding hashes, distances and banks, never the image; the image is not stored. ' +
          `A video (Content-Type ${VIDEO_CONTENT_TYPES.join(', ')}; at most ${limits.maxVideoBytes} bytes and ${limits.maxVideoSeconds} s) is sampled at 1 frame a second with ffmpeg and matched by vPDQ: ` +
          "each known video in the banks is scored by the share of the upload's frames that match it and the share of its frames matched " +
          '(a match needs the first to reach 0.8); a frame matching a known still image, and an exact MD5/SHA-256 of the file, are findings too. ' +
          'The answer is {kind: "video", videos, frameMatches, matches, case, ...}. Without ffmpeg on the server, videos get 503.',
        tags: ['media'],
        security: API_KEY_SECURITY,
        // The ids may also come in a JSON body; an upload of bytes needs userId here (uploaderIds).
        querystring: uploadIdsQuery.partial(),
        // Only JSON bodies have a schema: image and video bytes are read by their own parsers.
        body: { content: { 'application/json': { schema: named(hashMatchBody, 'match request') } } },
        response: {
          200: mediaOrVideoMatchSchema,
          ...errors,
          413: err,
          415: err,
          429: err,
          503: err,
        },
      },
    },
    async (request) => {
      const tenantId = auth(request).tenantId;
      if (request.body instanceof VideoBody) {
        const ids = uploaderIds(request.query);
        const video = await videos.hashVideo(request.body.bytes);
        (request as { body: unknown }).body = undefined; // the frames' hashes are all that is needed
        const outcome = await videos.match(tenantId, video, ids);
        if (outcome.case) {
          request.log.info(
            {
              audit: 'media.match',
              tenantId,
              keyId: auth(request).keyId,
              userId: ids.userId,
              caseId: outcome.case.id,
              videos: outcome.videos
                .filter((v) => v.matched)
                .map((v) => ({ bank: v.bank, video: v.video, queryShare: v.queryShare, targetShare: v.targetShare })),
              frameMatches: outcome.frameMatches.length,
              matches: outcome.matches.map((m) => ({ bank: m.bank, kind: m.kind })),
            },
            'known-video match',
          );
        }
        return outcome;
      }
      let hashes: UploadHashes;
      let ids: { userId: string; conversationId?: string | undefined; messageId?: string | undefined };
      if (Buffer.isBuffer(request.body)) {
        ids = uploaderIds(request.query);
        hashes = await matcher.hashImage(request.body);
        // The bytes were only needed for hashing: drop the reference so nothing can keep them alive.
        (request as { body: unknown }).body = undefined;
        const format = hashes.format ?? 'unknown';
        if (!IMAGE_FORMATS.has(format)) {
          throw new ApiError(415, 'unsupported_media_type', `the body is a ${format} image; send JPEG, PNG or WebP`, [
            `(body): ${format} is not accepted here`,
          ]);
        }
      } else if (request.body instanceof TextBody) {
        throw new ApiError(
          415,
          'unsupported_media_type',
          `send the image as ${IMAGE_CONTENT_TYPES.join(', ')}, or its hashes as application/json`,
          ['(body): text is not accepted here'],
        );
      } else {
        // Validated by the route's application/json schema (the only other bodies are handled above).
        const body = request.body as z.output<typeof hashMatchBody>;
        const query = request.query;
        const userId = body.userId ?? query.userId;
        if (!userId)
          throw new ApiError(400, 'invalid_request', 'invalid match request', [
            'userId: required field is missing (the uploader)',
          ]);
        ids = {
          userId,
          conversationId: body.conversationId ?? query.conversationId,
          messageId: body.messageId ?? query.messageId,
        };
        hashes = {
          pdq: body.pdq ?? null,
          quality: body.quality ?? null,
          md5: body.md5 ?? null,
          sha256: body.sha256 ?? null,
          hashedBy: 'client',
          format: null,
        };
      }
      const outcome = await matcher.match(tenantId, hashes, ids);
      if (outcome.matches.length > 0) {
        request.log.info(
          {
            audit: 'media.match',
            tenantId,
            keyId: auth(request).keyId,
            userId: ids.userId,
            caseId: outcome.case?.id,
            matches: outcome.matches.map((m) => ({ bank: m.bank, kind: m.kind, distance: m.distance })),
          },
          'known-image match',
        );
      }
      return outcome;
    },
  );

  app.get(
    '/banks',
    {
      config: { scope: 'admin' },
      schema: {
        summary: "This tenant's hash banks with their sizes",
        tags: ['media'],
        security: API_KEY_SECURITY,
        response: { 200: bankListSchema, ...errors },
      },
    },
    async (request) => ({ banks: await banks.list(auth(request).tenantId) }),
  );

  app.post(
    '/banks',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Create an empty hash bank',
        tags: ['media'],
        security: API_KEY_SECURITY,
        body: named(createBankBody, 'bank'),
        response: { ...errors, 201: bankSchema.describe('The bank') },
      },
    },
    async (request, reply) => {
      const body = request.body;
      try {
        const bank = await banks.create(auth(request).tenantId, body.name, body.enabled);
        reply.status(201);
        return bank;
      } catch (e) {
        throw e instanceof BankError ? bankErrorToApi(e) : e;
      }
    },
  );

  app.get(
    '/banks/:name',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'One hash bank',
        tags: ['media'],
        security: API_KEY_SECURITY,
        params: bankNameParams,
        response: { 200: bankSchema, ...errors },
      },
    },
    async (request) => {
      const { name } = request.params;
      return banks.get(auth(request).tenantId, name);
    },
  );

  app.delete(
    '/banks/:name',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Delete a hash bank and its hashes',
        tags: ['media'],
        security: API_KEY_SECURITY,
        params: bankNameParams,
        response: { ...errors, 204: z.null().describe('Deleted') },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      if (!(await banks.delete(auth(request).tenantId, name)))
        throw new ApiError(404, 'not_found', `no bank named "${name}"`);
      reply.status(204);
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post(
      `/banks/:name/${action}`,
      {
        config: { scope: 'admin' },
        schema: {
          summary: `${action === 'enable' ? 'Enable' : 'Disable'} a hash bank for matching`,
          tags: ['media'],
          security: API_KEY_SECURITY,
          params: bankNameParams,
          response: { 200: bankSchema, ...errors },
        },
      },
      async (request) => {
        const { name } = request.params;
        return banks.setEnabled(auth(request).tenantId, name, action === 'enable');
      },
    );
  }

  app.post(
    '/banks/:name/hashes',
    {
      config: { scope: 'admin' },
      bodyLimit: limits.maxHashListBytes,
      schema: {
        summary: 'Import a hash list into a bank',
        description:
          'Body: text/plain, one entry a line: [kind:]HEX[,METADATA] with kind pdq, md5 or sha256 (32 digits alone is MD5, 64 is ?kind=, default pdq). ' +
          'Blank lines, # comments and a header line are skipped. Any malformed line is reported as "line N: problem" and nothing is imported, unless ?skipInvalid=true.',
        tags: ['media'],
        security: API_KEY_SECURITY,
        params: bankNameParams,
        querystring: importQuery,
        response: { 200: bankImportSchema, ...errors, 413: err, 415: err },
      },
    },
    async (request) => {
      const { name } = request.params;
      const q = request.query;
      if (!(request.body instanceof TextBody)) {
        throw new ApiError(415, 'unsupported_media_type', 'send the hash list as text/plain, one hash a line', [
          '(body): expected text/plain',
        ]);
      }
      const text = request.body.bytes;
      if (!isUtf8(text)) {
        throw new ApiError(400, 'invalid_request', 'the hash list is not valid UTF-8; nothing was imported', [
          '(body): not UTF-8 text',
        ]);
      }
      const tenantId = auth(request).tenantId;
      await banks.get(tenantId, name); // 404 before reading a list for a bank that does not exist
      const parsed = await parseHashListBytes(text, { defaultKind: q.kind, maxErrors: 100 });
      (request as { body: unknown }).body = undefined; // the entries hold what is needed
      if (parsed.errorCount > 0 && !q.skipInvalid) {
        const more = parsed.errorCount - parsed.errors.length;
        throw new ApiError(
          400,
          'invalid_request',
          `the hash list has ${parsed.errorCount} malformed line(s); nothing was imported (fix them, or send ?skipInvalid=true)`,
          [...parsed.errors.map((e) => `line ${e.line}: ${e.message}`), ...(more > 0 ? [`... and ${more} more`] : [])],
        );
      }
      if (parsed.entries.length === 0 && parsed.errorCount === 0) {
        throw new ApiError(400, 'invalid_request', 'the hash list has no hashes', [
          '(body): no hash lines (only blank lines, comments or a header)',
        ]);
      }
      const entries = parsed.entries.map((e) =>
        e.meta === undefined ? { kind: e.kind, hash: e.hash } : { kind: e.kind, hash: e.hash, meta: e.meta },
      );
      const result = await banks.add(tenantId, name, entries);
      return {
        bank: name,
        added: result.added,
        duplicates: result.duplicates,
        invalid: parsed.errorCount,
        problems: parsed.errors.map((e) => `line ${e.line}: ${e.message}`),
        lines: parsed.lines,
      };
    },
  );

  app.delete(
    '/banks/:name/hashes/:hash',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Remove one hash from a bank',
        description:
          'The hash as hex, or kind:hex. ?kind= picks the kind of a 64-digit hash (default: PDQ, then SHA-256).',
        tags: ['media'],
        security: API_KEY_SECURITY,
        params: bankHashParams,
        querystring: removeHashQuery,
        response: { ...errors, 204: z.null().describe('Removed') },
      },
    },
    async (request, reply) => {
      const { name, hash: raw } = request.params;
      const q = request.query;
      let kind: HashKind | undefined = q.kind;
      let hash = raw;
      const colon = raw.indexOf(':');
      if (colon >= 0) {
        const prefix = raw.slice(0, colon).toLowerCase();
        if (!isHashKind(prefix))
          throw new ApiError(400, 'invalid_request', 'invalid hash', [
            `hash: unknown kind "${prefix.slice(0, 16)}" (expected pdq, md5 or sha256)`,
          ]);
        if (kind && kind !== prefix)
          throw new ApiError(400, 'invalid_request', 'invalid hash', [
            `hash: kind ${prefix} contradicts ?kind=${kind}`,
          ]);
        kind = prefix;
        hash = raw.slice(colon + 1);
      }
      const lengths = kind ? [HEX_LENGTH[kind]] : [32, 64];
      if (!/^[0-9a-f]+$/i.test(hash) || !lengths.includes(hash.length)) {
        throw new ApiError(400, 'invalid_request', 'invalid hash', [
          `hash: expected ${lengths.join(' or ')} hex digits${kind ? ` (${kind})` : ''}, got ${hash.length} characters`,
        ]);
      }
      const removed = await banks.remove(auth(request).tenantId, name, hash, kind);
      if (!removed) throw new ApiError(404, 'not_found', `bank "${name}" holds no such hash`);
      reply.status(204);
    },
  );
}

/** A text/plain body, as bytes (an image body is a bare Buffer). */
class TextBody {
  constructor(readonly bytes: Buffer) {}
}

/** A video body, as bytes. */
class VideoBody {
  constructor(readonly bytes: Buffer) {}
}

/** Lines parsed between yields to other requests. */
const PARSE_SLICE_LINES = 20_000;

/**
 * parseHashList over the raw bytes, a slice of lines at a time with a yield between slices: the body is
 * never one big string, and a long list does not hold the event loop.
 */
async function parseHashListBytes(bytes: Buffer, options: HashListOptions): Promise<HashListResult> {
  const parser = new HashListParser(options);
  if (bytes.includes(0)) return parser.refuseBinary();
  let start = 0;
  let lines = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    parser.line(bytes.toString('utf8', start, end));
    start = end + 1;
    if (++lines % PARSE_SLICE_LINES === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return parser.result;
}
