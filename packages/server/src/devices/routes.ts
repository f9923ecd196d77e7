import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  CollectionActionResult,
  DeviceAction,
  DeviceActionRequest,
  DeviceDetail,
  DevicePackage,
  DeviceSummary,
  InventoryChange,
  ListDevicesQuery,
  Offset,
  Page,
  RowCursor,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { DeviceService } from './service.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) });

export function registerDeviceRoutes(app: App, devices: DeviceService): void {
  app.post(
    `${API_PREFIX}/collections/:id/actions`,
    {
      schema: {
        tags: ['collections'],
        params: Params,
        body: DeviceActionRequest,
        response: { 202: CollectionActionResult },
      },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send(await devices.notifyCollection(actorOf(req), req.params.id, req.body.action)),
  );
  const tags = ['devices'];
  app.get(
    `${API_PREFIX}/devices`,
    { schema: { tags, querystring: ListDevicesQuery, response: { 200: Page(DeviceSummary) } } },
    (req) => devices.list(actorOf(req), req.query),
  );
  app.get(
    `${API_PREFIX}/devices/:id`,
    { schema: { tags, params: Params, response: { 200: DeviceDetail } } },
    (req) => devices.get(actorOf(req), req.params.id),
  );
  app.get(
    `${API_PREFIX}/devices/:id/packages`,
    {
      schema: {
        tags,
        params: Params,
        querystring: Type.Object(
          {
            search: Type.Optional(Type.String({ maxLength: 200 })),
            offset: Type.Optional(Offset),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(DevicePackage) },
      },
    },
    (req) => devices.packages(actorOf(req), req.params.id, req.query),
  );
  app.get(
    `${API_PREFIX}/devices/:id/inventory-history`,
    {
      schema: {
        tags,
        params: Params,
        querystring: Type.Object(
          {
            className: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            before: Type.Optional(RowCursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(InventoryChange) },
      },
    },
    (req) => devices.history(actorOf(req), req.params.id, req.query),
  );
  app.get(
    `${API_PREFIX}/devices/:id/actions`,
    { schema: { tags, params: Params, response: { 200: Type.Array(DeviceAction) } } },
    (req) => devices.actions(actorOf(req), req.params.id),
  );
  app.post(
    `${API_PREFIX}/devices/:id/actions`,
    {
      schema: { tags, params: Params, body: DeviceActionRequest, response: { 202: DeviceAction } },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send(await devices.requestAction(actorOf(req), req.params.id, req.body.action)),
  );
  app.post(
    `${API_PREFIX}/devices/:id/revoke`,
    { schema: { tags, params: Params, response: { 200: DeviceSummary } } },
    (req) => devices.revoke(actorOf(req), req.params.id),
  );
}
