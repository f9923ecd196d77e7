import { describe, expect, it } from 'vitest';
import { apiError, createHarness, route, run, type Route } from '../../test/support/harness.js';
import { collection, device } from '../../test/support/fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[]) => createHarness({ routes, env });

const lookups: Route[] = [
  route('GET', '/collections/:id', (_r, [name]) =>
    name === 'Missing'
      ? apiError(404, 'NOT_FOUND', 'no collection named Missing')
      : collection({ id: `c-${name ?? ''}`, name: name ?? '' }),
  ),
  route('GET', '/devices/:id', (_r, [name]) => device({ id: `d-${name ?? ''}`, name: name ?? '' })),
];

describe('query validate', () => {
  it('says so when the query is valid', async () => {
    const h = site([route('POST', '/queries/validate', () => ({ ok: true }))]);
    expect(await run(h, 'query', 'validate', "os.family = 'debian'")).toMatchObject({
      code: 0,
      stdout: 'The query is valid.\n',
    });
    expect(h.requests[0]?.body).toEqual({ query: "os.family = 'debian'" });
  });

  it('shows the query with a caret under the error', async () => {
    const q = "os.family = 'debian' and memory.totalMb > 'lots'";
    const pos = q.indexOf("'lots'");
    const h = site([
      route('POST', '/queries/validate', () =>
        apiError(400, 'QUERY_TYPE', 'memory.totalMb is a number; cannot compare it with a string', {
          message: 'x',
          position: pos,
          length: 6,
          line: 1,
          column: pos + 1,
        }),
      ),
    ]);
    const r = await run(h, 'query', 'validate', q);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error QUERY_TYPE: memory.totalMb is a number; cannot compare it with a string (column ${pos + 1})\n  ${q}\n  ${' '.repeat(pos)}^^^^^^\n`,
    );
  });
});

describe('collection create and update', () => {
  it('builds the rules, resolving collection and device names to ids', async () => {
    const h = site([
      ...lookups,
      route('POST', '/collections', () => collection({ name: 'Debian', memberCount: 3 })),
    ]);
    const r = await run(
      h,
      'collection',
      'create',
      'Debian',
      '--query',
      "os.family = 'debian'",
      '--query',
      'memory.totalMb > 1024',
      '--include',
      'Web',
      '--exclude',
      'Lab',
      '--device',
      'web-01',
      '--limit-to',
      'All Systems',
      '--description',
      'Debian machines',
      '--evaluation-interval',
      '30',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const post = h.requests.find((q) => q.method === 'POST');
    expect(post?.body).toEqual({
      name: 'Debian',
      description: 'Debian machines',
      limitingCollectionId: 'c-All Systems',
      evaluationIntervalMinutes: 30,
      rules: [
        { kind: 'query', query: "os.family = 'debian'" },
        { kind: 'query', query: 'memory.totalMb > 1024' },
        { kind: 'direct', deviceId: 'd-web-01' },
        { kind: 'include', collectionId: 'c-Web' },
        { kind: 'exclude', collectionId: 'c-Lab' },
      ],
    });
  });

  it('names the flag whose collection does not exist', async () => {
    const h = site([...lookups]);
    const r = await run(h, 'collection', 'create', 'X', '--include', 'Missing');
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error NOT_FOUND: --include Missing: no collection named Missing\n',
    });
  });

  it('shows the caret under the failing query rule', async () => {
    const h = site([
      ...lookups,
      route('POST', '/collections', () =>
        apiError(400, 'QUERY_SYNTAX', 'unexpected end of query', { position: 9, length: 0 }),
      ),
    ]);
    const r = await run(h, 'collection', 'create', 'X', '--query', 'os.name =', '--include', 'Web');
    expect(r.stderr).toBe(
      'error QUERY_SYNTAX: unexpected end of query (column 10)\n  os.name =\n           ^\n',
    );
  });

  it('update replaces the rules when rule flags are given and keeps the rest', async () => {
    const existing = collection({
      id: 'c-9',
      name: 'Web',
      description: 'keep me',
      rules: [{ kind: 'query', query: 'old' }],
      limitingCollectionId: 'all',
      evaluationIntervalMinutes: 15,
    });
    const h = site([
      route('GET', '/collections/:id', () => existing),
      route('PUT', '/collections/:id', () => collection({ name: 'Web', revision: 2 })),
    ]);
    expect((await run(h, 'collection', 'update', 'Web', '--query', 'new')).code).toBe(0);
    const put = h.requests.find((q) => q.method === 'PUT');
    expect(put?.path).toBe('/collections/c-9');
    expect(put?.body).toEqual({
      name: 'Web',
      description: 'keep me',
      limitingCollectionId: 'all',
      evaluationIntervalMinutes: 15,
      rules: [{ kind: 'query', query: 'new' }],
    });
    expect(h.stdout.text).toBe('Collection Web updated to revision 2.\n');
  });

  it('update without rule flags keeps the rules; --clear-rules empties them', async () => {
    const existing = collection({
      id: 'c-9',
      name: 'Web',
      rules: [{ kind: 'query', query: 'old' }],
    });
    const routes = [
      route('GET', '/collections/:id', () => existing),
      route('PUT', '/collections/:id', () => existing),
    ];
    const keep = site(routes);
    await run(keep, 'collection', 'update', 'Web', '--description', 'd');
    expect(keep.requests.find((q) => q.method === 'PUT')?.body).toMatchObject({
      description: 'd',
      rules: [{ kind: 'query', query: 'old' }],
    });
    const clear = site(routes);
    await run(clear, 'collection', 'update', 'Web', '--clear-rules');
    expect(clear.requests.find((q) => q.method === 'PUT')?.body).toMatchObject({ rules: [] });
  });
});

describe('collection views', () => {
  it('restore checks the revision number', async () => {
    const h = site([]);
    expect(await run(h, 'collection', 'restore', 'Web', 'two')).toMatchObject({
      code: 2,
      stderr: 'error USAGE: <revision> must be a whole number, got "two"\n',
    });
  });

  it('preview prints the count and a sample', async () => {
    const h = site([
      route('POST', '/collections/preview', () => ({ count: 42, sample: [device()] })),
    ]);
    const r = await run(h, 'collection', 'preview', '--query', 'x = 1');
    expect(r.stdout).toMatch(/^42 devices would be members\.\n\nNAME/);
    expect(h.requests[0]?.body).toEqual({ rules: [{ kind: 'query', query: 'x = 1' }] });
  });

  it('list --json is the raw API array', async () => {
    const list = [
      collection({ builtin: true, name: 'All Systems', id: 'all', limitingCollectionId: null }),
      collection(),
    ];
    const h = site([route('GET', '/collections', () => list)]);
    const r = await run(h, 'collection', 'list', '--json');
    expect(JSON.parse(r.stdout)).toEqual(list);
    const table = await run(site([route('GET', '/collections', () => list)]), 'collection', 'list');
    expect(table.stdout).toContain('Web servers');
    expect(table.stdout).toContain('All Systems (built-in)');
  });
});
