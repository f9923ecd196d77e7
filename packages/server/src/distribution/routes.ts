import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  CreateDistributionPointRequest,
  CreateDpGroupRequest,
  DistributeRequest,
  DistributionPoint,
  DistributionPointRegistration,
  DpCompletionRow,
  DpContentStatus,
  DpGroup,
  PackageContentStatus,
  UpdateDistributionPointRequest,
  UpdateDpGroupRequest,
  ValidateContentRequest,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { DistributionPointService } from './dp-service.js';
import type { DpGroupService } from './dp-group-service.js';
import type { DistributionService } from './distribution-service.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const MemberParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  dp: Type.String({ minLength: 1, maxLength: 200 }),
});
const MembersBody = Type.Object(
  { dpIds: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 10000 }) },
  { additionalProperties: false },
);
const ReportQuery = Type.Object(
  {
    package: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    dp: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export interface DistributionRouteDeps {
  dps: DistributionPointService;
  groups: DpGroupService;
  distribution: DistributionService;
}

/** Distribution points, DP groups, package distribution and the distribution reports. */
export function registerDistributionRoutes(app: App, deps: DistributionRouteDeps): void {
  registerDpRoutes(app, deps.dps, deps.distribution);
  registerDpGroupRoutes(app, deps.groups);
  registerPackageDistributionRoutes(app, deps.distribution);
}

function registerDpRoutes(app: App, dps: DistributionPointService, dist: DistributionService) {
  const tags = ['distribution points'];
  const base = `${API_PREFIX}/distribution-points`;
  app.get(base, { schema: { tags, response: { 200: Type.Array(DistributionPoint) } } }, (req) =>
    dps.list(actorOf(req)),
  );
  app.post(
    base,
    {
      schema: {
        tags,
        body: CreateDistributionPointRequest,
        response: { 201: DistributionPointRegistration },
      },
    },
    async (req, reply) => reply.status(201).send(await dps.create(actorOf(req), req.body)),
  );
  app.get(
    `${base}/:id`,
    { schema: { tags, params: IdParams, response: { 200: DistributionPoint } } },
    (req) => dps.get(actorOf(req), req.params.id),
  );
  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        params: IdParams,
        body: UpdateDistributionPointRequest,
        response: { 200: DistributionPoint },
      },
    },
    (req) => dps.update(actorOf(req), req.params.id, req.body),
  );
  app.delete(`${base}/:id`, { schema: { tags, params: IdParams } }, async (req, reply) => {
    await dps.remove(actorOf(req), req.params.id);
    return reply.status(204).send();
  });
  app.post(
    `${base}/:id/registration-token`,
    { schema: { tags, params: IdParams, response: { 200: DistributionPointRegistration } } },
    (req) => dps.renewToken(actorOf(req), req.params.id),
  );
  app.get(
    `${base}/:id/content`,
    { schema: { tags, params: IdParams, response: { 200: Type.Array(DpContentStatus) } } },
    (req) => dist.dpContent(actorOf(req), req.params.id),
  );
}

function registerDpGroupRoutes(app: App, groups: DpGroupService) {
  const tags = ['distribution points'];
  const base = `${API_PREFIX}/dp-groups`;
  app.get(base, { schema: { tags, response: { 200: Type.Array(DpGroup) } } }, (req) =>
    groups.list(actorOf(req)),
  );
  app.post(
    base,
    { schema: { tags, body: CreateDpGroupRequest, response: { 201: DpGroup } } },
    async (req, reply) => reply.status(201).send(await groups.create(actorOf(req), req.body)),
  );
  app.get(
    `${base}/:id`,
    { schema: { tags, params: IdParams, response: { 200: DpGroup } } },
    (req) => groups.get(actorOf(req), req.params.id),
  );
  app.patch(
    `${base}/:id`,
    { schema: { tags, params: IdParams, body: UpdateDpGroupRequest, response: { 200: DpGroup } } },
    (req) => groups.update(actorOf(req), req.params.id, req.body),
  );
  app.delete(`${base}/:id`, { schema: { tags, params: IdParams } }, async (req, reply) => {
    await groups.remove(actorOf(req), req.params.id);
    return reply.status(204).send();
  });
  app.post(
    `${base}/:id/members`,
    { schema: { tags, params: IdParams, body: MembersBody, response: { 200: DpGroup } } },
    (req) => groups.addMembers(actorOf(req), req.params.id, req.body.dpIds),
  );
  app.delete(
    `${base}/:id/members/:dp`,
    { schema: { tags, params: MemberParams, response: { 200: DpGroup } } },
    (req) => groups.removeMember(actorOf(req), req.params.id, req.params.dp),
  );
  app.post(
    `${base}/:id/distribute-to-new-members`,
    { schema: { tags, params: IdParams, response: { 200: DpGroup } } },
    (req) => groups.distributeToNewMembers(actorOf(req), req.params.id),
  );
}

function registerPackageDistributionRoutes(app: App, dist: DistributionService) {
  const tags = ['software library'];
  const base = `${API_PREFIX}/packages/:id`;
  app.post(
    `${base}/distribute`,
    {
      schema: {
        tags,
        params: IdParams,
        body: DistributeRequest,
        response: { 200: PackageContentStatus },
      },
    },
    (req) => dist.distribute(actorOf(req), req.params.id, req.body),
  );
  app.delete(
    `${base}/distribution-points/:dp`,
    { schema: { tags, params: MemberParams } },
    async (req, reply) => {
      await dist.removeFromDp(actorOf(req), req.params.id, req.params.dp);
      return reply.status(204).send();
    },
  );
  app.get(
    `${base}/content-status`,
    { schema: { tags, params: IdParams, response: { 200: PackageContentStatus } } },
    (req) => dist.contentStatus(actorOf(req), req.params.id),
  );
  app.post(
    `${base}/validate`,
    {
      schema: {
        tags,
        params: IdParams,
        body: ValidateContentRequest,
        response: { 200: PackageContentStatus },
      },
    },
    (req) => dist.validate(actorOf(req), req.params.id, req.body.dpIds),
  );
  const reportTags = ['reports'];
  app.get(
    `${API_PREFIX}/reports/distribution-status`,
    {
      schema: {
        tags: reportTags,
        querystring: ReportQuery,
        response: { 200: Type.Array(DpContentStatus) },
      },
    },
    (req) => dist.distributionStatusReport(actorOf(req), req.query),
  );
  app.get(
    `${API_PREFIX}/reports/dp-completion`,
    { schema: { tags: reportTags, response: { 200: Type.Array(DpCompletionRow) } } },
    (req) => dist.dpCompletionReport(actorOf(req)),
  );
}
