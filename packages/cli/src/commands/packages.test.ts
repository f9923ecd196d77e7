import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, createHarness, route, run, type Route } from '../../test/support/harness.js';
import {
  contentStatus,
  dp,
  dpContent,
  dpGroup,
  packageVersion,
  pkg,
} from '../../test/support/software-fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A harness whose fetch also drains streamed bodies, recording their bytes per path. */
function site(routes: Route[], cwd?: string) {
  const h = createHarness({ routes, env, ...(cwd !== undefined ? { cwd } : {}) });
  const uploads = new Map<string, Buffer>();
  const inner = h.io.fetch;
  h.io.fetch = async (input, init) => {
    const body = init?.body;
    if (body instanceof ReadableStream) {
      const chunks: Buffer[] = [];
      for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
      const url = new URL(String(input));
      uploads.set(
        `${init?.method ?? 'GET'} ${url.pathname.replace(/^\/api\/v1/, '')}`,
        Buffer.concat(chunks),
      );
      return inner!(input, { ...init, body: undefined });
    }
    return inner!(input, init);
  };
  return { h, uploads };
}

describe('package list, show, create', () => {
  it('lists packages as a table and --json as the raw array', async () => {
    const list = [
      pkg(),
      pkg({ id: 'pkg-2', name: 'Empty', currentVersion: null, dpTargeted: 0, dpInstalled: 0 }),
    ];
    const { h } = site([route('GET', '/packages', () => list)]);
    const r = await run(h, 'package', 'list');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^NAME\s+VERSION\s+PUBLISHER\s+CONTENT\s+FILES\s+SIZE\s+PROGRAMS\s+DPS\s+UPDATED$/,
    );
    expect(lines[1]).toMatch(
      /^Firefox\s+128\.0\s+Mozilla\s+v1\s+2\s+2\.0 KB\s+1\s+1\/2\s+1 h ago$/,
    );
    expect(lines[2]).toMatch(/^Empty .* none\s+-\s+-\s+1\s+0\/0/);
    const { h: h2 } = site([route('GET', '/packages', () => list)]);
    expect(JSON.parse((await run(h2, 'package', 'list', '--json')).stdout)).toEqual(list);
  });

  it('create sends the fields given, including the product --version label', async () => {
    const { h } = site([route('POST', '/packages', () => pkg())]);
    const r = await run(
      h,
      'package',
      'create',
      'Firefox',
      '--version',
      '128.0',
      '--priority',
      'high',
    );
    expect(r.code).toBe(0);
    expect(h.requests[0]?.body).toEqual({ name: 'Firefox', version: '128.0', priority: 'high' });
    const bad = site([]).h;
    expect((await run(bad, 'package', 'create', 'X', '--priority', 'urgent')).code).toBe(2);
    expect(bad.requests).toHaveLength(0);
  });

  it('files shows the current version by default, or --version N', async () => {
    const entries = [{ path: 'bin/install.sh', sha256: sha('x'), size: 1536, mode: 0o755 }];
    const routes = [
      route('GET', '/packages/:id', () => pkg({ currentVersion: packageVersion({ number: 3 }) })),
      route('GET', '/packages/:id/versions/:n/files', () => entries),
    ];
    const { h } = site(routes);
    const r = await run(h, 'package', 'files', 'Firefox');
    expect(h.requests.map((q) => q.path)).toEqual([
      '/packages/Firefox',
      '/packages/Firefox/versions/3/files',
    ]);
    expect(r.stdout).toMatch(/0755\s+1\.5 KB\s+[0-9a-f]{12}\s+bin\/install\.sh/);
    const { h: h2 } = site(routes);
    await run(h2, 'package', 'files', 'Firefox', '--version', '2');
    expect(h2.requests.map((q) => q.path)).toEqual(['/packages/Firefox/versions/2/files']);
  });

  it('prune keeps --keep versions and says which', async () => {
    const kept = [packageVersion({ number: 5 }), packageVersion({ number: 4 })];
    const { h } = site([route('POST', '/packages/:id/versions/prune', () => kept)]);
    const r = await run(h, 'package', 'prune', 'Firefox', '--keep', '2');
    expect(r.code).toBe(0);
    expect(h.requests[0]?.body).toEqual({ keep: 2 });
    expect(r.stdout).toMatch(/Kept 2 versions: v5, v4/);
    expect((await run(site([]).h, 'package', 'prune', 'Firefox', '--keep', '0')).code).toBe(2);
  });
});

describe('package import', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-import-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes a folder, uploads only missing files, and sends the manifest with modes', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'bin'), { recursive: true });
    await writeFile(join(src, 'bin', 'install.sh'), '#!/bin/sh\necho hi\n');
    await chmod(join(src, 'bin', 'install.sh'), 0o755);
    await writeFile(join(src, 'README'), 'same');
    await writeFile(join(src, 'copy-of-readme'), 'same');
    await writeFile(join(src, 'big.bin'), 'x'.repeat(100_000));
    await chmod(join(src, 'big.bin'), 0o644);
    await symlink('/etc/passwd', join(src, 'passwd-link'));
    const known = sha('x'.repeat(100_000));
    let manifest: unknown;
    const { h, uploads } = site([
      route('GET', '/packages/:id', () => pkg()),
      route('POST', '/content/missing', (req) => {
        const body = req.body as { sha256: string[] };
        return { missing: body.sha256.filter((s) => s !== known) };
      }),
      route('PUT', '/content/files/:sha', (_r, [s]) => ({ sha256: s, size: 1 })),
      route('POST', '/packages/:id/versions', (req) => {
        manifest = req.body;
        return packageVersion({ number: 2, fileCount: 4 });
      }),
    ]);
    const r = await run(h, 'package', 'import', 'Firefox', '--from', src);
    expect(r.stderr).toContain('warning: skipped passwd-link: not a regular file');
    expect(r.stderr).toContain('Uploaded 2 new files');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Package Firefox is now at content v2: 4 files, 2.0 KB.\n');
    // "same" twice is uploaded once; the 100 kB file the library holds is not uploaded.
    expect([...uploads.keys()].sort()).toEqual(
      [
        `PUT /content/files/${sha('#!/bin/sh\necho hi\n')}`,
        `PUT /content/files/${sha('same')}`,
      ].sort(),
    );
    expect(uploads.get(`PUT /content/files/${sha('same')}`)?.toString()).toBe('same');
    expect(manifest).toEqual({
      files: [
        { path: 'README', sha256: sha('same'), size: 4, mode: expect.any(Number) },
        { path: 'big.bin', sha256: known, size: 100_000, mode: 0o644 },
        { path: 'bin/install.sh', sha256: sha('#!/bin/sh\necho hi\n'), size: 18, mode: 0o755 },
        { path: 'copy-of-readme', sha256: sha('same'), size: 4, mode: expect.any(Number) },
      ],
    });
    // Not a terminal: progress is a line per 10%, never a line per chunk.
    expect(r.stderr.split('\n').filter((l) => l.startsWith('Hashing')).length).toBeLessThanOrEqual(
      11,
    );
  });

  it('makes no version when the folder matches the current one, unless --force', async () => {
    const src = join(dir, 'same');
    await mkdir(src);
    await writeFile(join(src, 'run.sh'), 'exit 0\n');
    await chmod(join(src, 'run.sh'), 0o755);
    const current = packageVersion({ number: 4, fileCount: 1 });
    const routes = [
      route('GET', '/packages/:id', () => pkg({ currentVersion: current })),
      route('GET', '/packages/:id/versions/:n/files', () => [
        { path: 'run.sh', sha256: sha('exit 0\n'), size: 7, mode: 0o755 },
      ]),
      route('POST', '/content/missing', () => ({ missing: [] })),
      route('POST', '/packages/:id/versions', () => packageVersion({ number: 5 })),
    ];
    const { h } = site(routes);
    const r = await run(h, 'package', 'import', 'Firefox', '--from', src);
    expect(r.stdout).toBe(
      'Package Firefox content v4 already holds these files: no new version (--force makes one).\n',
    );
    expect(h.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /packages/Firefox',
      'GET /packages/pkg-1/versions/4/files',
    ]);
    const { h: forced } = site(routes);
    const f = await run(forced, 'package', 'import', 'Firefox', '--from', src, '--force');
    expect(f.stdout).toMatch(/^Package Firefox is now at content v5/);
  });

  it('streams an archive as it is, gzip by its name', async () => {
    const src = join(dir, 'src');
    await mkdir(src);
    await writeFile(join(src, 'a.txt'), 'hello');
    execFileSync('tar', ['-czf', join(dir, 'pkg.tgz'), '-C', src, '.']);
    // --from is relative to the working directory.
    const elsewhere = await run(site([]).h, 'package', 'import', 'pkg-1', '--from', 'pkg.tgz');
    expect(elsewhere.stderr).toMatch(/^error SOURCE_NOT_FOUND/);
    const { h: h2, uploads: up2 } = site(
      [
        route('GET', '/packages/:id', () => pkg()),
        route('POST', '/packages/:id/versions/archive', () => packageVersion({ number: 5 })),
      ],
      dir,
    );
    const ok = await run(h2, 'package', 'import', 'pkg-1', '--from', 'pkg.tgz', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ number: 5 });
    const sent = up2.get('POST /packages/pkg-1/versions/archive');
    expect(sent?.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('checks the source before any request, and --create makes a missing package', async () => {
    const { h } = site([]);
    expect(await run(h, 'package', 'import', 'X')).toMatchObject({
      code: 2,
      stderr: 'error USAGE: give exactly one of --from DIR|ARCHIVE and --server-path PATH\n',
    });
    await writeFile(join(dir, 'notes.zip'), 'zip');
    const zip = await run(site([]).h, 'package', 'import', 'X', '--from', join(dir, 'notes.zip'));
    expect(zip.stderr).toMatch(/--from must be a folder or a \.tar, \.tar\.gz or \.tgz archive/);
    const gone = site([]);
    const r = await run(gone.h, 'package', 'import', 'X', '--from', join(dir, 'nope'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error SOURCE_NOT_FOUND: --from .*nope: ENOENT/);
    expect(gone.h.requests).toHaveLength(0);

    const missing = [
      route('GET', '/packages/:id', () =>
        apiError(404, 'PACKAGE_NOT_FOUND', 'no package named New'),
      ),
    ];
    const refused = site(missing).h;
    expect(
      (await run(refused, 'package', 'import', 'New', '--server-path', '/srv/src')).stderr,
    ).toBe('error PACKAGE_NOT_FOUND: no package named New (add --create to create the package)\n');
    const created = site([
      ...missing,
      route('POST', '/packages', () => pkg({ id: 'pkg-9', name: 'New', dpTargeted: 0 })),
      route('POST', '/packages/:id/versions/folder', () =>
        packageVersion({ number: 1, source: 'folder' }),
      ),
    ]).h;
    const ok = await run(
      created,
      'package',
      'import',
      'New',
      '--server-path',
      '/srv/src',
      '--create',
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(created.requests.at(-1)).toMatchObject({
      path: '/packages/pkg-9/versions/folder',
      body: { path: '/srv/src' },
    });
  });

  it('shows why the site refuses a folder outside its content import roots', async () => {
    const message =
      '"/etc" is outside the content import roots of this site server (/srv/packages)';
    const { h } = site([
      route('GET', '/packages/:id', () => pkg({ id: 'pkg-9', name: 'New', dpTargeted: 0 })),
      route('POST', '/packages/:id/versions/folder', () =>
        apiError(403, 'CONTENT_IMPORT_NOT_ALLOWED', message),
      ),
    ]);
    const r = await run(h, 'package', 'import', 'New', '--server-path', '/etc');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(`error CONTENT_IMPORT_NOT_ALLOWED: ${message}\n`);
  });
});

describe('package distribute and status', () => {
  it('distribute sends DP and group names for the site to resolve', async () => {
    const { h } = site([
      route('GET', '/distribution-points/:id', (_r, [n]) =>
        dp({ id: `dp-${n ?? ''}`, name: n ?? '' }),
      ),
      route('GET', '/dp-groups/:id', () => dpGroup({ id: 'dpg-7' })),
      route('POST', '/packages/:id/distribute', () =>
        contentStatus([dpContent({ state: 'pending' })]),
      ),
    ]);
    const r = await run(
      h,
      'package',
      'distribute',
      'Firefox',
      '--dp',
      'a',
      '--dp',
      'b',
      '--dp-group',
      'Branches',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(h.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /packages/Firefox/distribute',
    ]);
    expect(h.requests.at(-1)?.body).toEqual({ dpIds: ['a', 'b'], dpGroupIds: ['Branches'] });
    expect(r.stdout).toMatch(
      /^Firefox \(content v1\): 0 of 1 distribution point installed \(0%\), 1 distributing, 0 failed/,
    );
    expect((await run(site([]).h, 'package', 'distribute', 'Firefox')).code).toBe(2);
  });

  it('status --wait polls until every targeted DP installed or failed, then fails on failures', async () => {
    const polls = [
      contentStatus([
        dpContent({ state: 'distributing', bytesDone: 1024 }),
        dpContent({ dpId: 'dp-2', dpName: 'b', state: 'pending' }),
      ]),
      contentStatus([dpContent(), dpContent({ dpId: 'dp-2', dpName: 'b', state: 'distributing' })]),
      contentStatus([
        dpContent(),
        dpContent({ dpId: 'dp-2', dpName: 'b', state: 'failed', message: 'disk full' }),
      ]),
    ];
    let i = 0;
    const { h } = site([
      route('GET', '/packages/:id/content-status', () => polls[Math.min(i++, 2)]),
    ]);
    const r = await run(h, 'package', 'status', 'Firefox', '--wait');
    expect(i).toBe(3);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Distributing Firefox: 0 installed, 0 failed of 2');
    expect(r.stderr).toContain('Distributing Firefox: 1 installed, 1 failed of 2');
    expect(r.stderr).toMatch(
      /error DISTRIBUTION_FAILED: 1 distribution point failed to install Firefox\n$/,
    );
    expect(r.stdout).toMatch(/b\s+failed\s+v1\s+100% of 2\.0 KB .* disk full/);
  });

  it('status --wait stops on Ctrl-C with CANCELLED', async () => {
    const { h } = site([
      route('GET', '/packages/:id/content-status', () => {
        h.interrupt();
        return contentStatus([dpContent({ state: 'distributing' })]);
      }),
    ]);
    const r = await run(h, 'package', 'status', 'Firefox', '--wait');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error CANCELLED: stopped waiting; 0 of 1 distribution points settled/,
    );
  });

  it('content stats shows the single-instance savings', async () => {
    const { h } = site([
      route('GET', '/content/library', () => ({
        fileCount: 10,
        totalBytes: 1024 * 1024,
        referencedBytes: 4 * 1024 * 1024,
        packageVersionCount: 3,
      })),
    ]);
    const r = await run(h, 'content', 'stats');
    expect(r.stdout).toMatch(/Saved:\s+3\.0 MB by single-instance storage \(75%\)/);
  });
});
