import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  Boundary,
  BoundaryGroup,
  ContentLocations,
  CreateBoundaryGroupRequest,
  CreateBoundaryRequest,
  ResolveLocationQuery,
  UpdateBoundaryGroupRequest,
  UpdateBoundaryRequest,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { BoundaryService } from './boundary-service.js';
import type { ContentLocationService } from './location-service.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** Boundaries, boundary groups and the location troubleshooter. */
export function registerBoundaryRoutes(
  app: App,
  deps: { boundaries: BoundaryService; locations: ContentLocationService },
): void {
  const { boundaries, locations } = deps;
  const tags = ['boundaries'];
  const base = `${API_PREFIX}/boundaries`;
  app.get(base, { schema: { tags, response: { 200: Type.Array(Boundary) } } }, (req) =>
    boundaries.listBoundaries(actorOf(req)),
  );
  app.post(
    base,
    { schema: { tags, body: CreateBoundaryRequest, response: { 201: Boundary } } },
    async (req, reply) =>
      reply.status(201).send(await boundaries.createBoundary(actorOf(req), req.body)),
  );
  app.patch(
    `${base}/:id`,
    {
      schema: { tags, params: IdParams, body: UpdateBoundaryRequest, response: { 200: Boundary } },
    },
    (req) => boundaries.updateBoundary(actorOf(req), req.params.id, req.body),
  );
  app.delete(`${base}/:id`, { schema: { tags, params: IdParams } }, async (req, reply) => {
    await boundaries.deleteBoundary(actorOf(req), req.params.id);
    return reply.status(204).send();
  });

  const groups = `${API_PREFIX}/boundary-groups`;
  app.get(groups, { schema: { tags, response: { 200: Type.Array(BoundaryGroup) } } }, (req) =>
    boundaries.listGroups(actorOf(req)),
  );
  app.post(
    groups,
    { schema: { tags, body: CreateBoundaryGroupRequest, response: { 201: BoundaryGroup } } },
    async (req, reply) =>
      reply.status(201).send(await boundaries.createGroup(actorOf(req), req.body)),
  );
  // A static path: Fastify prefers it to /:id, so no group id is ever taken for "resolve".
  app.get(
    `${groups}/resolve`,
    { schema: { tags, querystring: ResolveLocationQuery, response: { 200: ContentLocations } } },
    (req) => locations.resolve(actorOf(req), req.query.ip, req.query.packageId),
  );
  app.get(
    `${groups}/:id`,
    { schema: { tags, params: IdParams, response: { 200: BoundaryGroup } } },
    (req) => boundaries.getGroup(actorOf(req), req.params.id),
  );
  app.patch(
    `${groups}/:id`,
    {
      schema: {
        tags,
        params: IdParams,
        body: UpdateBoundaryGroupRequest,
        response: { 200: BoundaryGroup },
      },
    },
    (req) => boundaries.updateGroup(actorOf(req), req.params.id, req.body),
  );
  app.delete(`${groups}/:id`, { schema: { tags, params: IdParams } }, async (req, reply) => {
    await boundaries.deleteGroup(actorOf(req), req.params.id);
    return reply.status(204).send();
  });
}
