import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  MaintenanceWindow,
  MaintenanceWindowBody,
  UpdateMaintenanceWindowRequest,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { MaintenanceWindowService } from './maintenance-windows.js';

const tags = ['maintenance-windows'];
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) });

/** Maintenance windows under /api/v1 (the schema refuses durations outside 5..1440 minutes). */
export function registerMaintenanceWindowRoutes(app: App, windows: MaintenanceWindowService): void {
  app.get(
    `${API_PREFIX}/maintenance-windows`,
    {
      schema: {
        tags,
        querystring: Type.Object(
          { collection: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(MaintenanceWindow) },
      },
    },
    (req) => windows.list(actorOf(req), req.query.collection),
  );
  app.post(
    `${API_PREFIX}/collections/:id/maintenance-windows`,
    {
      schema: {
        tags,
        params: Params,
        body: MaintenanceWindowBody,
        response: { 201: MaintenanceWindow },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await windows.create(actorOf(req), req.params.id, req.body)),
  );
  app.get(
    `${API_PREFIX}/maintenance-windows/:id`,
    { schema: { tags, params: Params, response: { 200: MaintenanceWindow } } },
    (req) => windows.get(actorOf(req), req.params.id),
  );
  app.patch(
    `${API_PREFIX}/maintenance-windows/:id`,
    {
      schema: {
        tags,
        params: Params,
        body: UpdateMaintenanceWindowRequest,
        response: { 200: MaintenanceWindow },
      },
    },
    (req) => windows.update(actorOf(req), req.params.id, req.body),
  );
  app.delete(
    `${API_PREFIX}/maintenance-windows/:id`,
    { schema: { tags, params: Params } },
    async (req, reply) => {
      await windows.remove(actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );
}
