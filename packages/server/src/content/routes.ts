import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyRequest } from 'fastify';
import {
  API_PREFIX,
  ContentLibraryStats,
  CreatePackageRequest,
  CreateVersionFromFilesRequest,
  CreateVersionFromFolderRequest,
  ErrorCode,
  ManifestEntry,
  MissingContentRequest,
  MissingContentResponse,
  Package,
  PackageVersion,
  StoredContentFile,
  UpdatePackageRequest,
  AppError,
  InputError,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { ContentService } from './service.js';

const tags = ['software library'];
const packages = `${API_PREFIX}/packages`;
const content = `${API_PREFIX}/content`;

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const VersionParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  // The column is a 32-bit integer: PostgreSQL fails (500) on a larger parameter.
  number: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});
const ShaParams = Type.Object({ sha256: Type.String({ minLength: 1, maxLength: 200 }) });
const ListQuery = Type.Object(
  { search: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
const PruneRequest = Type.Object(
  { keep: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
  { additionalProperties: false },
);

/** Raw bodies the content routes stream to disk; never buffered, whatever their size. */
const STREAMED_TYPES = [
  'application/octet-stream',
  'application/x-tar',
  'application/gzip',
  'application/x-gzip',
];
const TAR_TYPES = new Set(['application/x-tar', 'application/tar']);
const GZIP_TYPES = new Set(['application/gzip', 'application/x-gzip']);
/** Route body limit for uploads (the streaming parser does not buffer, this only caps the size). */
const UPLOAD_LIMIT = 64 * 1024 ** 3;

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function unsupported(expected: string): AppError {
  return new AppError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, `send ${expected}`);
}

/** Software library under /api/v1: packages, versions, content uploads and library stats. */
export function registerContentRoutes(app: App, service: ContentService): void {
  for (const type of [...STREAMED_TYPES, 'application/tar']) {
    if (!app.hasContentTypeParser(type))
      app.addContentTypeParser(type, (_req, payload, done) => {
        done(null, payload);
      });
  }
  registerPackageRoutes(app, service);
  registerVersionRoutes(app, service);
  registerUploadRoutes(app, service);
}

function registerPackageRoutes(app: App, service: ContentService): void {
  app.get(
    packages,
    { schema: { tags, querystring: ListQuery, response: { 200: Type.Array(Package) } } },
    (req) => service.list(actorOf(req), req.query.search),
  );
  app.post(
    packages,
    { schema: { tags, body: CreatePackageRequest, response: { 201: Package } } },
    async (req, reply) => reply.status(201).send(await service.create(actorOf(req), req.body)),
  );
  app.get(
    `${packages}/:id`,
    { schema: { tags, params: IdParams, response: { 200: Package } } },
    (req) => service.get(actorOf(req), req.params.id),
  );
  app.patch(
    `${packages}/:id`,
    { schema: { tags, params: IdParams, body: UpdatePackageRequest, response: { 200: Package } } },
    (req) => service.update(actorOf(req), req.params.id, req.body),
  );
  app.delete(`${packages}/:id`, { schema: { tags, params: IdParams } }, async (req, reply) => {
    await service.remove(actorOf(req), req.params.id);
    return reply.status(204).send();
  });
}

function registerVersionRoutes(app: App, service: ContentService): void {
  app.get(
    `${packages}/:id/versions`,
    { schema: { tags, params: IdParams, response: { 200: Type.Array(PackageVersion) } } },
    (req) => service.versions(actorOf(req), req.params.id),
  );
  app.get(
    `${packages}/:id/versions/:number/files`,
    { schema: { tags, params: VersionParams, response: { 200: Type.Array(ManifestEntry) } } },
    (req) => service.versionFiles(actorOf(req), req.params.id, req.params.number),
  );
  app.post(
    `${packages}/:id/versions`,
    {
      schema: {
        tags,
        params: IdParams,
        body: CreateVersionFromFilesRequest,
        response: { 201: PackageVersion },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await service.createVersionFromFiles(actorOf(req), req.params.id, req.body.files)),
  );
  app.post(
    `${packages}/:id/versions/archive`,
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: { tags, params: IdParams, response: { 201: PackageVersion } },
    },
    async (req, reply) => {
      const type = mediaType(req);
      const gzip = GZIP_TYPES.has(type);
      if (!gzip && !TAR_TYPES.has(type)) throw unsupported('application/x-tar or application/gzip');
      const version = await service.createVersionFromArchive(
        actorOf(req),
        req.params.id,
        req.raw,
        gzip,
      );
      return reply.status(201).send(version);
    },
  );
  app.post(
    `${packages}/:id/versions/folder`,
    {
      schema: {
        tags,
        params: IdParams,
        body: CreateVersionFromFolderRequest,
        response: { 201: PackageVersion },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await service.createVersionFromFolder(actorOf(req), req.params.id, req.body.path)),
  );
  app.post(
    `${packages}/:id/versions/prune`,
    {
      schema: {
        tags,
        params: IdParams,
        response: { 200: Type.Array(PackageVersion) },
      },
    },
    // The body is optional (`{keep}`, default 2), which a body schema cannot say: parsed here.
    (req) => {
      const body: unknown = req.body ?? {};
      if (!Value.Check(PruneRequest, body))
        throw new InputError(ErrorCode.INVALID_INPUT, 'send {"keep": <versions to keep, ≥1>}');
      return service.pruneVersions(actorOf(req), req.params.id, body.keep ?? 2);
    },
  );
}

function registerUploadRoutes(app: App, service: ContentService): void {
  app.post(
    `${content}/missing`,
    { schema: { tags, body: MissingContentRequest, response: { 200: MissingContentResponse } } },
    (req) => service.missing(actorOf(req), req.body.sha256),
  );
  app.put(
    `${content}/files/:sha256`,
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: { tags, params: ShaParams, response: { 200: StoredContentFile } },
    },
    (req) => {
      if (mediaType(req) !== 'application/octet-stream')
        throw unsupported('application/octet-stream');
      return service.uploadFile(actorOf(req), req.params.sha256, req.raw);
    },
  );
  app.get(
    `${content}/library`,
    { schema: { tags, response: { 200: ContentLibraryStats } } },
    (req) => service.library(actorOf(req)),
  );
}
