import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  Collection,
  CollectionDefinition,
  CollectionMembersQuery,
  CollectionParams,
  CollectionPreview,
  CollectionPreviewRequest,
  CollectionRevision,
  CollectionRevisionParams,
  CompletionsQuery,
  CompletionsResponse,
  DeviceSummary,
  MembershipChange,
  MembershipHistoryQuery,
  Page,
  ValidateQueryRequest,
  ValidateQueryResponse,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { CollectionService } from './service.js';

const tags = ['collections'];
const base = `${API_PREFIX}/collections`;

/** Collections and the query language under /api/v1: routes parse, the service decides. */
export function registerCollectionRoutes(app: App, service: CollectionService): void {
  registerDefinitionRoutes(app, service);
  registerMembershipRoutes(app, service);
  registerQueryRoutes(app, service);
}

function registerDefinitionRoutes(app: App, service: CollectionService): void {
  app.get(base, { schema: { tags, response: { 200: Type.Array(Collection) } } }, (req) =>
    service.list(actorOf(req)),
  );
  app.post(
    base,
    { schema: { tags, body: CollectionDefinition, response: { 201: Collection } } },
    async (req, reply) => reply.status(201).send(await service.create(actorOf(req), req.body)),
  );
  // Registered before /collections/:id so that "preview" is never taken for a collection id.
  app.post(
    `${base}/preview`,
    { schema: { tags, body: CollectionPreviewRequest, response: { 200: CollectionPreview } } },
    (req) => service.preview(actorOf(req), req.body),
  );
  app.get(
    `${base}/:id`,
    { schema: { tags, params: CollectionParams, response: { 200: Collection } } },
    (req) => service.get(actorOf(req), req.params.id),
  );
  app.put(
    `${base}/:id`,
    {
      schema: {
        tags,
        params: CollectionParams,
        body: CollectionDefinition,
        response: { 200: Collection },
      },
    },
    (req) => service.update(actorOf(req), req.params.id, req.body),
  );
  app.delete(`${base}/:id`, { schema: { tags, params: CollectionParams } }, async (req, reply) => {
    await service.remove(actorOf(req), req.params.id);
    return reply.status(204).send();
  });
}

function registerMembershipRoutes(app: App, service: CollectionService): void {
  app.get(
    `${base}/:id/members`,
    {
      schema: {
        tags,
        params: CollectionParams,
        querystring: CollectionMembersQuery,
        response: { 200: Page(DeviceSummary) },
      },
    },
    (req) => service.members(actorOf(req), req.params.id, req.query),
  );
  app.get(
    `${base}/:id/membership-history`,
    {
      schema: {
        tags,
        params: CollectionParams,
        querystring: MembershipHistoryQuery,
        response: { 200: Type.Array(MembershipChange) },
      },
    },
    (req) => service.membershipHistory(actorOf(req), req.params.id, req.query),
  );
  app.get(
    `${base}/:id/revisions`,
    {
      schema: { tags, params: CollectionParams, response: { 200: Type.Array(CollectionRevision) } },
    },
    (req) => service.revisions(actorOf(req), req.params.id),
  );
  app.post(
    `${base}/:id/revisions/:revision/restore`,
    { schema: { tags, params: CollectionRevisionParams, response: { 200: Collection } } },
    (req) => service.restoreRevision(actorOf(req), req.params.id, req.params.revision),
  );
  app.post(
    `${base}/:id/evaluate`,
    { schema: { tags, params: CollectionParams, response: { 200: Collection } } },
    (req) => service.evaluate(actorOf(req), req.params.id),
  );
}

function registerQueryRoutes(app: App, service: CollectionService): void {
  const queryTags = ['queries'];
  app.post(
    `${API_PREFIX}/queries/validate`,
    {
      schema: {
        tags: queryTags,
        body: ValidateQueryRequest,
        response: { 200: ValidateQueryResponse },
      },
    },
    (req) => service.validateQuery(actorOf(req), req.body.query),
  );
  app.get(
    `${API_PREFIX}/queries/completions`,
    {
      schema: {
        tags: queryTags,
        querystring: CompletionsQuery,
        response: { 200: CompletionsResponse },
      },
    },
    (req) => service.completions(actorOf(req), req.query.class),
  );
}
