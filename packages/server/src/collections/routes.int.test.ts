import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '@steward/protocol';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { createAdminApp } from '../http/admin-app.js';
import { installAdminAuth } from '../http/auth.js';
import type { App } from '../http/types.js';
import { UserService } from '../users/service.js';
import { ensureBuiltinCollections } from './builtin.js';
import { registerCollectionRoutes } from './routes.js';
import { CollectionService } from './service.js';
import { countRows, insertDevices } from '../../test/support/collections.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of routes.int.test.ts are SKIPPED',
  );

const PASSWORD = 'correct horse battery';

describe.each(testDialects)('collection routes on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let app: App;
    let token = '';

    beforeAll(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect));
      await insertDevices(ctx.db.kysely, [
        {
          id: 'd1',
          name: 'web-1',
          classes: { os: [{ family: 'debian' }], memory: [{ totalMb: 4096 }] },
        },
        {
          id: 'd2',
          name: 'web-2',
          classes: { os: [{ family: 'rhel' }], memory: [{ totalMb: 1024 }] },
        },
      ]);
      await ensureBuiltinCollections(ctx);
      const users = new UserService(ctx);
      await users.ensureInitialAdmin(PASSWORD);
      token = (await users.login('admin', PASSWORD, '127.0.0.1')).token;
      app = await createAdminApp(ctx.log, 'test');
      installAdminAuth(app, users);
      registerCollectionRoutes(app, new CollectionService(ctx));
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await cleanup?.();
    });

    async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) {
      const res = await app.inject({
        method,
        url: `${API_PREFIX}${path}`,
        headers: { authorization: `Bearer ${token}` },
        ...(body === undefined
          ? {}
          : {
              payload: JSON.stringify(body),
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            }),
      });
      return {
        status: res.statusCode,
        body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown),
      };
    }

    it('serves the collection lifecycle', async () => {
      const created = await call('POST', '/collections', {
        name: 'Debian',
        rules: [{ kind: 'query', query: 'os.family = "debian"' }],
      });
      expect(created).toMatchObject({
        status: 201,
        body: { name: 'Debian', memberCount: 1, revision: 1 },
      });
      const id = (created.body as { id: string }).id;
      expect(await call('GET', '/collections/Debian')).toMatchObject({ status: 200, body: { id } });
      expect((await call('GET', '/collections')).body).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'all-systems' })]),
      );
      expect(await call('GET', `/collections/${id}/members?offset=0&limit=10`)).toMatchObject({
        status: 200,
        body: { total: 1, items: [{ id: 'd1' }] },
      });
      const updated = await call('PUT', `/collections/${id}`, {
        name: 'Debian',
        rules: [{ kind: 'query', query: 'os.family in ("debian", "rhel")' }],
      });
      expect(updated).toMatchObject({ status: 200, body: { revision: 2, memberCount: 2 } });
      expect(await call('GET', `/collections/${id}/revisions`)).toMatchObject({
        status: 200,
        body: [{ revision: 2 }, { revision: 1 }],
      });
      expect(await call('GET', `/collections/${id}/membership-history?limit=1`)).toMatchObject({
        status: 200,
        body: [{ deviceId: 'd2', change: 'added', revision: 2 }],
      });
      expect(await call('POST', `/collections/${id}/revisions/1/restore`)).toMatchObject({
        status: 200,
        body: { revision: 3, memberCount: 1 },
      });
      expect(await call('POST', `/collections/${id}/evaluate`)).toMatchObject({
        status: 200,
        body: { memberCount: 1 },
      });
      // The history filters: by kind of change, and by device name (case-insensitive; web-1 only ever joined).
      const removed = await call('GET', `/collections/${id}/membership-history?change=removed`);
      expect(removed).toMatchObject({
        status: 200,
        body: [{ deviceId: 'd2', change: 'removed', revision: 3 }],
      });
      const byName = await call('GET', `/collections/${id}/membership-history?device=WEB-1`);
      expect(byName.body).toEqual([expect.objectContaining({ deviceId: 'd1', change: 'added' })]);
      expect(await call('DELETE', `/collections/${id}`)).toEqual({ status: 204, body: undefined });
      expect(await call('GET', `/collections/${id}`)).toMatchObject({
        status: 404,
        body: { code: 'NOT_FOUND' },
      });
    });

    it('previews unsaved rules', async () => {
      expect(
        await call('POST', '/collections/preview', {
          rules: [{ kind: 'query', query: 'memory.totalMb > 2000' }],
        }),
      ).toMatchObject({
        status: 200,
        body: { count: 1, sample: [{ id: 'd1', name: 'web-1' }] },
      });
    });

    it('validates queries and offers completions', async () => {
      expect(await call('POST', '/queries/validate', { query: 'os.family = "debian"' })).toEqual({
        status: 200,
        body: { ok: true },
      });
      expect(
        await call('POST', '/queries/validate', { query: 'os.family = "debian" and' }),
      ).toMatchObject({
        status: 400,
        body: {
          code: 'QUERY_SYNTAX',
          details: { position: 24, length: 0, line: 1, column: 25, message: expect.any(String) },
        },
      });
      expect(
        await call('POST', '/queries/validate', { query: 'oss.family = "debian"' }),
      ).toMatchObject({
        status: 400,
        body: {
          code: 'QUERY_TYPE',
          message: 'unknown class "oss"; did you mean "os"?',
          details: { position: 0, length: 3 },
        },
      });
      const classes = await call('GET', '/queries/completions');
      expect(classes.body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ label: 'package', kind: 'class', multiInstance: true }),
        ]),
      );
      expect(await call('GET', '/queries/completions?class=os')).toMatchObject({
        status: 200,
        body: expect.arrayContaining([
          { label: 'version', kind: 'property', detail: 'version', type: 'version' },
        ]),
      });
    });

    it('maps refusals to stable codes and writes nothing', async () => {
      const before = await countRows(ctx.db.kysely, 'collection');
      expect(await call('PUT', '/collections/all-systems', { name: 'x', rules: [] })).toMatchObject(
        { status: 409, body: { code: 'COLLECTION_BUILTIN' } },
      );
      expect(await call('DELETE', '/collections/all-systems')).toMatchObject({
        status: 409,
        body: { code: 'COLLECTION_BUILTIN' },
      });
      expect(await call('POST', '/collections', { name: 'All Systems', rules: [] })).toMatchObject({
        status: 409,
        body: { code: 'COLLECTION_NAME_TAKEN' },
      });
      expect(
        await call('POST', '/collections', {
          name: 'x',
          rules: [{ kind: 'query', query: 'disk.freeMb < 1' }],
        }),
      ).toMatchObject({
        status: 400,
        body: { code: 'QUERY_TYPE', details: { ruleIndex: 0, position: 0 } },
      });
      expect(
        await call('POST', '/collections', { name: 'x', rules: [{ kind: 'bogus' }] }),
      ).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT' } });
      for (const body of [
        { name: 'x', rules: [], surprise: 1 },
        { name: 42, rules: [] },
        { name: 'x', rules: [{ kind: 'direct', deviceId: 'd1', extra: true }] },
      ]) {
        expect(await call('POST', '/collections', body)).toMatchObject({
          status: 400,
          body: { code: 'INVALID_INPUT' },
        });
      }
      expect(await call('POST', '/collections/all-systems/revisions/abc/restore')).toMatchObject({
        status: 400,
        body: { code: 'INVALID_INPUT' },
      });
      expect(await call('GET', '/collections/all-systems/members?limit=0')).toMatchObject({
        status: 400,
        body: { code: 'INVALID_INPUT' },
      });
      expect(await countRows(ctx.db.kysely, 'collection')).toBe(before);
    });

    it('documents every route in the OpenAPI document', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
      const paths = Object.keys((JSON.parse(res.body) as { paths: Record<string, unknown> }).paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          `${API_PREFIX}/collections`,
          `${API_PREFIX}/collections/{id}/members`,
          `${API_PREFIX}/collections/{id}/revisions/{revision}/restore`,
          `${API_PREFIX}/queries/validate`,
          `${API_PREFIX}/queries/completions`,
        ]),
      );
    });
  });
});
