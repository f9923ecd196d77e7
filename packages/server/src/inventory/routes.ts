import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  ClientSettings,
  CustomClassDefinition,
  InventoryClassInfo,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { InventoryClassService } from './class-service.js';
import type { PolicyService } from '../agent-api/policy.js';

const Params = Type.Object({ name: Type.String({ maxLength: 64 }) });

export function registerInventoryRoutes(
  app: App,
  classes: InventoryClassService,
  policy: PolicyService,
): void {
  const tags = ['inventory'];
  app.get(
    `${API_PREFIX}/inventory-classes`,
    { schema: { tags, response: { 200: Type.Array(InventoryClassInfo) } } },
    (req) => classes.list(actorOf(req)),
  );
  app.get(
    `${API_PREFIX}/inventory-classes/:name`,
    { schema: { tags, params: Params, response: { 200: InventoryClassInfo } } },
    (req) => classes.get(actorOf(req), req.params.name),
  );
  app.post(
    `${API_PREFIX}/inventory-classes`,
    { schema: { tags, body: CustomClassDefinition, response: { 201: InventoryClassInfo } } },
    async (req, reply) =>
      reply.status(201).send(await classes.save(actorOf(req), req.body, 'create')),
  );
  app.put(
    `${API_PREFIX}/inventory-classes/:name`,
    {
      schema: {
        tags,
        params: Params,
        body: CustomClassDefinition,
        response: { 200: InventoryClassInfo },
      },
    },
    (req) => classes.save(actorOf(req), req.body, 'update', req.params.name),
  );
  app.delete(
    `${API_PREFIX}/inventory-classes/:name`,
    { schema: { tags, params: Params } },
    async (req, reply) => {
      await classes.remove(actorOf(req), req.params.name);
      return reply.status(204).send();
    },
  );
  app.get(
    `${API_PREFIX}/client-settings`,
    { schema: { tags: ['client-settings'], response: { 200: ClientSettings } } },
    (req) => policy.getSettings(actorOf(req)),
  );
  app.put(
    `${API_PREFIX}/client-settings`,
    {
      schema: {
        tags: ['client-settings'],
        body: Type.Partial(ClientSettings, { additionalProperties: false }),
        response: { 200: ClientSettings },
      },
    },
    (req) => policy.updateSettings(actorOf(req), req.body),
  );
}
