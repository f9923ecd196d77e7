/**
 * The admin API and the agent API are the operation table (issue 8): every route the running admin app serves is
 * an operation of `ops` in protocol, registered from it (its summary and response schemas are
 * in the OpenAPI document), and every operation of the table is served. No route is written by
 * hand: a new route is a new operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX, allAgentOperations, allOperations, operationKey } from '@steward/protocol';
import { createTestSite, type Site } from '../../../test-support/site.js';
import { send } from './fuzz/run.js';
import { startTestServer, type TestServer } from './support/deployments.js';

interface DocOperation {
  summary?: string;
  responses?: Record<string, { content?: unknown; description?: string }>;
}
interface Doc {
  paths: Record<string, Record<string, DocOperation>>;
}

/** `/api/v1/devices/{id}` as the table writes it: `GET /devices/:id`. */
function tableKey(method: string, template: string): string {
  return operationKey({
    method: method.toUpperCase() as 'GET',
    path: template.slice(API_PREFIX.length).replace(/\{([^}]+)\}/g, ':$1'),
  });
}

describe('the operation table', () => {
  let site: Site;
  let doc: Doc;
  beforeAll(async () => {
    site = await createTestSite({ withEnrolledDevices: 0 });
    const answer = await send(site.adminUrl, {
      method: 'GET',
      path: '/api/openapi.json',
      headers: {},
      body: undefined,
    });
    doc = JSON.parse(answer.text) as Doc;
  }, 120_000);
  afterAll(async () => {
    await site?.stop();
  });

  const served = (): Map<string, DocOperation> =>
    new Map(
      Object.entries(doc.paths).flatMap(([template, methods]) =>
        Object.entries(methods).map(([m, op]) => [tableKey(m, template), op] as const),
      ),
    );

  it('holds every route the admin app serves, apart from the listed ones still by hand', () => {
    const table = new Set(allOperations().map(operationKey));
    const byHand = [...served().keys()].filter((k) => !table.has(k)).sort();
    expect(byHand).toEqual([]);
  });

  it('is served whole, each route registered from its operation', () => {
    const routes = served();
    for (const op of allOperations()) {
      const route = routes.get(operationKey(op));
      expect(route, operationKey(op)).toBeDefined();
      expect(route?.summary, operationKey(op)).toBe(op.summary);
      expect(Object.keys(route?.responses ?? {}).sort(), operationKey(op)).toEqual(
        Object.keys(op.responses).sort(),
      );
    }
  });
});

/**
 * The agent listener (devices, distribution points, content downloads) serves exactly
 * `agentOps`: every route it registers was registered from an operation of the table (it carries
 * the operation's summary), and no operation of the table is left unserved. No route is by hand.
 */
describe('the agent operation table', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  const served = (): Map<string, string | undefined> =>
    new Map((t.server.agentRoutes ?? []).map((r) => [r.key, r.summary]));

  it('holds every route the agent listener serves', () => {
    const table = new Set(allAgentOperations().map(operationKey));
    expect(served().size).toBeGreaterThan(0);
    expect([...served().keys()].filter((k) => !table.has(k))).toEqual([]);
  });

  it('is served whole, each route registered from its operation', () => {
    const routes = served();
    for (const op of allAgentOperations()) {
      expect(routes.has(operationKey(op)), operationKey(op)).toBe(true);
      expect(routes.get(operationKey(op)), operationKey(op)).toBe(op.summary);
    }
  });
});
