import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test-support/site.js';
import {
  API_PREFIX,
  ApiClient,
  CONTENT_UPLOAD_MAX_BYTES,
  ops,
  pathOf,
  type ContentAccessClaims,
  type Operation,
} from '@steward/protocol';
import {
  freshDatabaseUrl,
  postgresReachable,
  siteSecretBox,
  testDialects,
} from '../../test/support/db.js';
import { startServer, type RunningServer } from '../server.js';
import { loadOrCreateSiteKeys, type SiteKeys } from '../site/site-keys.js';
import { signContentAccessToken } from './access-token.js';
import { ContentStore } from './content-store.js';
import { collectUnreferencedContent } from './gc.js';
import { insertProgramAndDeployment } from '../../test/support/content.js';
import { refusal } from '../../test/support/deployments.js';
import { insertDevice } from '../../test/support/collections.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres cases of content.int.test.ts are SKIPPED');

const PASSWORD = 'content library test';
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Every file in the library folder on disk (what single-instance storage must keep small). */
function storedOnDisk(root: string): string[] {
  const dir = join(root, 'sha256');
  try {
    return readdirSync(dir).flatMap((p) => readdirSync(join(dir, p)));
  } catch {
    return [];
  }
}

interface Fetched {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

describe.each(testDialects)('content library on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let dir: string;
    let importRoot: string;
    let server: RunningServer;
    let api: ApiClient;
    let keys: SiteKeys;
    let store: ContentStore;
    let cleanupDb: () => Promise<void>;
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    /** A full site always has its context (only a standalone distribution point has none). */
    const siteCtx = () => {
      if (!server.ctx) throw new Error('the site server has no context');
      return server.ctx;
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'steward-content-'));
      // The whole test folder, data directory included: the data directory stays refused.
      importRoot = dir;
      const db = freshDatabaseUrl(dialect);
      cleanupDb = db.cleanup;
      server = await startServer({
        dataDir: join(dir, 'server'),
        db: db.url,
        adminListen: '127.0.0.1:0',
        agentListen: '127.0.0.1:0',
        adminPassword: PASSWORD,
        logLevel: 'warn',
        clock,
        // Folder imports may read the test's own trees, nothing else.
        contentImportRoots: [importRoot],
      });
      api = new ApiClient({ baseUrl: server.adminUrl });
      api.setToken((await api.login('admin', PASSWORD)).token);
      keys = await loadOrCreateSiteKeys(
        siteCtx().db.kysely,
        siteSecretBox(join(dir, 'server')),
        {},
      );
      store = new ContentStore(join(dir, 'server', 'content'));
    });
    afterAll(async () => {
      await server?.close();
      await cleanupDb?.();
      rmSync(dir, { recursive: true, force: true });
    });

    function fetchContent(path: string, headers: Record<string, string> = {}): Promise<Fetched> {
      return new Promise((resolve, reject) => {
        const req = request(`${server.agentUrl}${path}`, { ca: keys.caCertPem, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    }

    function token(claims: Partial<ContentAccessClaims> = {}): string {
      const iat = Math.floor(clock.now().getTime() / 1000);
      return signContentAccessToken(keys.policySigningKey, {
        deviceId: 'device-1',
        siteCode: keys.siteCode,
        site: keys.caFingerprint,
        packageVersionIds: [],
        iat,
        exp: iat + 600,
        ...claims,
      });
    }

    function makeTree(
      name: string,
      files: Record<string, { text: string; mode?: number }>,
    ): string {
      const root = join(dir, name);
      for (const [path, f] of Object.entries(files)) {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), f.text);
        chmodSync(join(root, path), f.mode ?? 0o644);
      }
      return root;
    }

    function tarOf(root: string, gzip: boolean, extra: string[] = []): Buffer {
      return execFileSync('tar', [gzip ? '-czf' : '-cf', '-', '-C', root, ...extra, '.'], {
        maxBuffer: 64 * 1024 * 1024,
      });
    }

    /** A raw admin request whose headers say what the test wants, the body included or not. */
    function adminRaw(
      op: Operation,
      params: Record<string, string>,
      headers: Record<string, string>,
      body: Buffer,
    ): Promise<{ status: number; code: unknown }> {
      return new Promise((resolve, reject) => {
        const url = `${server.adminUrl}${API_PREFIX}${pathOf(op, params)}`;
        const req = httpRequest(
          url,
          { method: op.method, headers: { ...api.authHeaders(op.method), ...headers } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              req.destroy();
              const answer: unknown = JSON.parse(Buffer.concat(chunks).toString() || '{}');
              resolve({
                status: res.statusCode ?? 0,
                code:
                  typeof answer === 'object' && answer ? Reflect.get(answer, 'code') : undefined,
              });
            });
          },
        );
        // A declared length longer than the body: the answer comes before the bytes would.
        req.on('error', reject);
        req.write(body);
        if (headers['content-length'] === undefined) req.end();
      });
    }

    it('uploads take only their media types, and no more bytes than the operation declares', async () => {
      const bytes = Buffer.from('some bytes\n');
      const sha256 = sha(bytes);
      const upload = ops.content.uploadFile;
      const archive = ops.packages.createVersionFromArchive;
      await api.createPackage({ name: 'Media Types' });
      expect(
        await adminRaw(upload, { sha256 }, { 'content-type': 'application/x-tar' }, bytes),
      ).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(
        await adminRaw(
          archive,
          { id: 'Media Types' },
          { 'content-type': 'application/octet-stream' },
          bytes,
        ),
      ).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(
        await adminRaw(
          upload,
          { sha256 },
          {
            'content-type': 'application/octet-stream',
            'content-length': String(CONTENT_UPLOAD_MAX_BYTES + 1),
          },
          bytes,
        ),
      ).toEqual({ status: 413, code: 'BODY_TOO_LARGE' });
      // Nothing was stored (the hash-first test below starts from an empty library).
      expect(await store.has(sha256)).toBe(false);
      expect(await api.contentLibrary()).toMatchObject({ fileCount: 0 });
    });

    it('hash-first upload: a wrong hash stores nothing, a missing file refuses the version', async () => {
      const pkg = await api.createPackage({ name: 'Hash First', publisher: 'Steward' });
      expect(pkg).toMatchObject({ currentVersion: null, programCount: 0, dpTargeted: 0 });
      const script = Buffer.from('#!/bin/sh\necho installed\n');
      const readme = Buffer.from('read me\n');
      expect(await api.missingContent([sha(script), sha(readme)])).toEqual({
        missing: [sha(script), sha(readme)],
      });

      const wrong = await refusal(api.uploadContentFile(sha(readme), new Uint8Array(script)));
      expect(wrong).toMatchObject({ status: 400, code: 'CONTENT_HASH_MISMATCH' });
      expect(await api.contentLibrary()).toMatchObject({ fileCount: 0, totalBytes: 0 });
      expect(storedOnDisk(store.rootDir)).toEqual([]);

      expect(await api.uploadContentFile(sha(script), new Uint8Array(script))).toEqual({
        sha256: sha(script),
        size: script.length,
      });
      expect(await api.missingContent([sha(script), sha(readme)])).toEqual({
        missing: [sha(readme)],
      });
      const files = [
        { path: 'install.sh', sha256: sha(script), size: script.length, mode: 0o755 },
        { path: 'docs/README', sha256: sha(readme), size: readme.length, mode: 0o644 },
      ];
      const missing = await refusal(api.createVersionFromFiles(pkg.id, files));
      expect(missing).toMatchObject({
        status: 409,
        code: 'CONTENT_MISSING',
        details: { missing: [sha(readme)] },
      });
      expect(await api.packageVersions(pkg.id)).toEqual([]);

      await api.uploadContentFile(sha(readme), new Uint8Array(readme));
      const changed: string[] = [];
      const unsubscribe = siteCtx().bus.subscribe('content-changed', (e) =>
        changed.push(e.packageId),
      );
      const v1 = await api.createVersionFromFiles('Hash First', files);
      expect(v1).toMatchObject({ number: 1, current: true, fileCount: 2, source: 'files' });
      expect(v1.sizeBytes).toBe(script.length + readme.length);
      // On PostgreSQL the event comes back through LISTEN/NOTIFY, after the answer.
      await waitFor('the content-changed event', async () =>
        Promise.resolve(changed.length > 0 ? true : undefined),
      );
      unsubscribe();
      expect(changed).toEqual([pkg.id]);
      expect(await api.packageVersionFiles(pkg.id, 1)).toEqual(
        [...files].sort((a, b) => a.path.localeCompare(b.path)),
      );
      const messages = await api.listStatusMessages({ messageId: 50110 });
      expect(messages.items[0]?.insertionStrings).toEqual([
        'Hash First',
        '1',
        'admin',
        '2',
        String(script.length + readme.length),
        '2',
      ]);
      expect((await api.getPackage(pkg.id)).currentVersion).toMatchObject({ id: v1.id, number: 1 });
    });

    it('imports tar and tar.gz archives, numbers versions and keeps one copy of shared files', async () => {
      const tree = makeTree('archive-src', {
        'setup.sh': { text: '#!/bin/sh\nexit 0\n', mode: 0o755 },
        'lib/data.bin': { text: 'x'.repeat(5000) },
        'lib/deep/notes.txt': { text: 'notes\n', mode: 0o600 },
      });
      await api.createPackage({ name: 'Archived' });
      const before = await api.contentLibrary();
      const v1 = await api.createVersionFromArchive(
        'Archived',
        new Uint8Array(tarOf(tree, false)),
        false,
      );
      expect(v1).toMatchObject({ number: 1, current: true, fileCount: 3, source: 'archive' });
      expect(await api.packageVersionFiles('Archived', 1)).toEqual([
        { path: 'lib/data.bin', sha256: sha('x'.repeat(5000)), size: 5000, mode: 0o644 },
        { path: 'lib/deep/notes.txt', sha256: sha('notes\n'), size: 6, mode: 0o600 },
        { path: 'setup.sh', sha256: sha('#!/bin/sh\nexit 0\n'), size: 17, mode: 0o755 },
      ]);
      const afterV1 = await api.contentLibrary();
      expect(afterV1.fileCount).toBe(before.fileCount + 3);

      // The same content again, gzip'd, plus one new file: version 2, one new stored file.
      writeFileSync(join(tree, 'new.txt'), 'new in v2\n');
      const v2 = await api.createVersionFromArchive(
        'Archived',
        new Uint8Array(tarOf(tree, true)),
        true,
      );
      expect(v2).toMatchObject({ number: 2, current: true, fileCount: 4 });
      const afterV2 = await api.contentLibrary();
      expect(afterV2.fileCount).toBe(afterV1.fileCount + 1);
      expect(afterV2.referencedBytes).toBeGreaterThan(afterV2.totalBytes);
      expect(storedOnDisk(store.rootDir)).toHaveLength(afterV2.fileCount);
      const versions = await api.packageVersions('Archived');
      expect(versions.map((v) => [v.number, v.current])).toEqual([
        [2, true],
        [1, false],
      ]);

      // Another package sharing the same data file stores nothing new.
      await api.createPackage({ name: 'Sharing' });
      const shared = makeTree('shared-src', { 'data.bin': { text: 'x'.repeat(5000) } });
      await api.createVersionFromArchive('Sharing', new Uint8Array(tarOf(shared, false)), false);
      expect((await api.contentLibrary()).fileCount).toBe(afterV2.fileCount);
      expect((await api.getPackage('Archived')).currentVersion?.number).toBe(2);
    });

    it('refuses bad archives and keeps nothing from them', async () => {
      await api.createPackage({ name: 'Bad Archives' });
      const libraryBefore = await api.contentLibrary();
      const diskBefore = storedOnDisk(store.rootDir).length;

      const withLink = makeTree('link-src', {
        'a-good-file.txt': { text: 'only in the bad archive 1\n' },
      });
      symlinkSync('/etc/passwd', join(withLink, 'z-link'));
      const outside = makeTree('dotdot/inner', {
        'ok.txt': { text: 'only in the bad archive 2\n' },
      });
      writeFileSync(join(dir, 'dotdot', 'escape.txt'), 'escaped\n');
      const dotdot = execFileSync('tar', ['-cPf', '-', 'ok.txt', '../escape.txt'], {
        cwd: outside,
      });
      const absolute = execFileSync('tar', ['-cPf', '-', join(outside, 'ok.txt')]);
      const cases: [string, Buffer, boolean][] = [
        ['a symbolic link', tarOf(withLink, false), false],
        ['a .. path', dotdot, false],
        ['an absolute path', absolute, false],
        ['garbage as gzip', Buffer.from('this is not gzip at all'), true],
        ['a truncated archive', tarOf(withLink, true).subarray(0, 60), true],
      ];
      for (const [what, body, gzip] of cases) {
        const err = await refusal(
          api.createVersionFromArchive('Bad Archives', new Uint8Array(body), gzip),
        );
        expect({ what, status: err.status, code: err.code }).toEqual({
          what,
          status: 400,
          code: 'INVALID_ARCHIVE',
        });
      }
      expect(await api.packageVersions('Bad Archives')).toEqual([]);
      expect(await api.contentLibrary()).toEqual(libraryBefore);
      expect(storedOnDisk(store.rootDir)).toHaveLength(diskBefore);
    });

    it('imports a folder on the site server without following links', async () => {
      await api.createPackage({ name: 'From Folder' });
      const tree = makeTree('folder-src', {
        'run.sh': { text: '#!/bin/sh\necho folder\n', mode: 0o750 },
        'conf/app.conf': { text: 'key=value\n' },
      });
      symlinkSync(join(tree, 'run.sh'), join(tree, 'link-to-run'));
      const v = await api.createVersionFromFolder('From Folder', tree);
      expect(v).toMatchObject({ number: 1, fileCount: 2, source: 'folder' });
      expect(await api.packageVersionFiles('From Folder', 1)).toEqual([
        { path: 'conf/app.conf', sha256: sha('key=value\n'), size: 10, mode: 0o644 },
        { path: 'run.sh', sha256: sha('#!/bin/sh\necho folder\n'), size: 22, mode: 0o750 },
      ]);
      expect(
        await refusal(api.createVersionFromFolder('From Folder', 'relative/path')),
      ).toMatchObject({ status: 400, code: 'INVALID_FOLDER' });
      expect(
        await refusal(api.createVersionFromFolder('From Folder', join(dir, 'no-such-folder'))),
      ).toMatchObject({ status: 400, code: 'INVALID_FOLDER' });
      expect(await refusal(api.createVersionFromFolder('No Such Package', tree))).toMatchObject({
        status: 404,
        code: 'PACKAGE_NOT_FOUND',
      });
    });

    it('imports folders only inside the import roots, never the data directory, and audits the folder', async () => {
      await api.createUser({
        name: 'ops',
        password: 'operations pw 1',
        role: 'operations-administrator',
      });
      const ops = new ApiClient({ baseUrl: server.adminUrl });
      ops.setToken((await ops.login('ops', 'operations pw 1')).token);
      await ops.createPackage({ name: 'Confined' });
      const dataDir = join(dir, 'server');
      // Inside the root but leading out: links to the data directory and to /etc.
      symlinkSync(dataDir, join(importRoot, 'link-to-data'));
      symlinkSync('/etc', join(importRoot, 'link-to-etc'));
      const libraryBefore = await api.contentLibrary();
      const diskBefore = storedOnDisk(store.rootDir).length;
      for (const folder of [
        dataDir,
        join(dataDir, 'content'),
        '/etc',
        dir,
        join(importRoot, 'link-to-data'),
        join(importRoot, 'link-to-etc'),
        join(importRoot, '..', 'server'),
        '/no-such-folder-outside-the-roots',
      ])
        expect(
          await refusal(ops.createVersionFromFolder('Confined', folder)),
          folder,
        ).toMatchObject({
          status: 403,
          code: 'CONTENT_IMPORT_NOT_ALLOWED',
          details: { path: folder },
        });
      expect(await api.packageVersions('Confined')).toEqual([]);
      expect(await api.contentLibrary()).toEqual(libraryBefore);
      expect(storedOnDisk(store.rootDir)).toHaveLength(diskBefore);

      const tree = makeTree('confined-src', {
        'setup.sh': { text: 'echo confined\n', mode: 0o755 },
      });
      const v = await ops.createVersionFromFolder('Confined', tree);
      expect(v).toMatchObject({ number: 1, fileCount: 1, source: 'folder' });
      const [entry] = (await api.listAudit({ targetId: v.packageId })).filter(
        (e) => e.action === 'package.version.create',
      );
      expect(entry).toMatchObject({
        userName: 'ops',
        details: { source: 'folder', folder: tree, folderRealPath: realpathSync(tree) },
      });
    });

    it('audits every file uploaded to the library', async () => {
      const body = Buffer.from('an audited upload');
      await api.uploadContentFile(sha(body), new Uint8Array(body));
      expect(
        await api.listAudit({ targetType: 'content-file', targetId: sha(body) }),
      ).toMatchObject([
        { userName: 'admin', action: 'content.upload', details: { size: body.length } },
      ]);
    });

    it('serves content files with Range to holders of a valid access token', async () => {
      const body = Buffer.from('0123456789abcdefghij');
      await api.uploadContentFile(sha(body), new Uint8Array(body));
      await api.createPackage({ name: 'Ranged' });
      const version = await api.createVersionFromFiles('Ranged', [
        { path: 'data.bin', sha256: sha(body), size: body.length, mode: 0o644 },
      ]);
      await insertDevice(siteCtx().db.kysely, { id: 'device-1' });
      const path = `/content/v1/files/${sha(body)}`;
      const auth = { authorization: `Bearer ${token({ packageVersionIds: [version.id] })}` };

      const full = await fetchContent(path, auth);
      expect(full.status).toBe(200);
      expect(full.body).toEqual(body);
      expect(full.headers).toMatchObject({
        'content-length': '20',
        'accept-ranges': 'bytes',
        etag: `"${sha(body)}"`,
      });
      const part = await fetchContent(path, { ...auth, range: 'bytes=2-5' });
      expect(part.status).toBe(206);
      expect(part.body.toString()).toBe('2345');
      expect(part.headers).toMatchObject({
        'content-range': 'bytes 2-5/20',
        'content-length': '4',
      });
      const tail = await fetchContent(path, { ...auth, range: 'bytes=15-' });
      expect([tail.status, tail.body.toString()]).toEqual([206, 'fghij']);
      const beyond = await fetchContent(path, { ...auth, range: 'bytes=20-' });
      expect(beyond.status).toBe(416);
      expect(beyond.headers['content-range']).toBe('bytes */20');

      // A hash of none of the token's versions is refused before the store is looked at.
      const unknown = await fetchContent(`/content/v1/files/${sha('never stored')}`, auth);
      expect([unknown.status, JSON.parse(unknown.body.toString())]).toMatchObject([
        403,
        { code: 'CONTENT_ACCESS_DENIED' },
      ]);
      const anonymous = await fetchContent(path);
      expect(anonymous.status).toBe(401);
      const other = await fetchContent(path, { authorization: `Bearer ${token()}x` });
      expect([other.status, JSON.parse(other.body.toString())]).toMatchObject([
        403,
        { code: 'CONTENT_ACCESS_DENIED' },
      ]);
      const expired = token({
        packageVersionIds: [version.id],
        exp: Math.floor(clock.now().getTime() / 1000) - 1,
      });
      const late = await fetchContent(path, { authorization: `Bearer ${expired}` });
      expect([late.status, JSON.parse(late.body.toString())]).toMatchObject([
        403,
        { code: 'CONTENT_ACCESS_DENIED' },
      ]);
    });

    it('serves a token only files of its package versions, of this site, to a device not revoked', async () => {
      const mine = Buffer.from('file of the entitled package');
      const theirs = Buffer.from('file of another package');
      const versionOf = async (name: string, body: Buffer) => {
        await api.uploadContentFile(sha(body), new Uint8Array(body));
        await api.createPackage({ name });
        return api.createVersionFromFiles(name, [
          { path: 'f.bin', sha256: sha(body), size: body.length, mode: 0o644 },
        ]);
      };
      const v1 = await versionOf('Entitled', mine);
      await versionOf('Not Entitled', theirs);
      await insertDevice(siteCtx().db.kysely, { id: 'device-2' });
      const get = async (body: Buffer, claims: Partial<ContentAccessClaims>) => {
        const r = await fetchContent(`/content/v1/files/${sha(body)}`, {
          authorization: `Bearer ${token({ deviceId: 'device-2', packageVersionIds: [v1.id], ...claims })}`,
        });
        return [
          r.status,
          r.status === 200 ? r.body.toString() : JSON.parse(r.body.toString()).code,
        ];
      };
      expect(await get(mine, {})).toEqual([200, mine.toString()]);
      expect(await get(theirs, {})).toEqual([403, 'CONTENT_ACCESS_DENIED']);
      expect(await get(mine, { packageVersionIds: [] })).toEqual([403, 'CONTENT_ACCESS_DENIED']);
      // Another site's token (same key here, so only the claims tell): refused.
      expect(await get(mine, { site: 'f'.repeat(64) })).toEqual([403, 'CONTENT_ACCESS_DENIED']);
      expect(await get(mine, { siteCode: 'ZZZ' })).toEqual([403, 'CONTENT_ACCESS_DENIED']);
      expect(await get(mine, { deviceId: 'never-enrolled' })).toEqual([
        403,
        'CONTENT_ACCESS_DENIED',
      ]);
      // Revoked: the site server refuses the device's still-unexpired token at once.
      await siteCtx()
        .db.kysely.updateTable('device')
        .set({ revoked_at: clock.now().toISOString() })
        .where('id', '=', 'device-2')
        .execute();
      expect(await get(mine, {})).toEqual([403, 'CONTENT_ACCESS_DENIED']);
    });

    it('answers an out-of-range version number with 4xx, not a database error', async () => {
      await api.createPackage({ name: 'Huge Number' });
      const { token: bearer } = await api.login('admin', PASSWORD);
      for (const n of ['2147483648', '99999999999999999999']) {
        const res = await fetch(
          `${server.adminUrl}/api/v1/packages/Huge%20Number/versions/${n}/files`,
          { headers: { authorization: `Bearer ${bearer}` } },
        );
        expect(res.status).toBe(400);
      }
    });

    it('searches packages by name or publisher, with % and _ taken literally', async () => {
      await api.createPackage({ name: 'search_1', publisher: 'Acme' });
      await api.createPackage({ name: 'searchx1', publisher: 'Other' });
      const names = async (search: string) =>
        (await api.listPackages({ search }))
          .map((p) => p.name)
          .filter((n) => n.startsWith('search'));
      expect(await names('SEARCH_1')).toEqual(['search_1']);
      expect(await names('acme')).toEqual(['search_1']);
      expect(await names('search%')).toEqual([]);
    });

    it('refuses to delete a package a deployment uses', async () => {
      const pkg = await api.createPackage({ name: 'Deployed' });
      const db = siteCtx().db.kysely;
      const at = clock.now().toISOString();
      const collection = await db.selectFrom('collection').select('id').executeTakeFirstOrThrow();
      await insertProgramAndDeployment(db, { packageId: pkg.id, collectionId: collection.id, at });
      expect((await api.getPackage(pkg.id)).programCount).toBe(1);
      const err = await refusal(api.deletePackage('Deployed'));
      expect(err).toMatchObject({
        status: 409,
        code: 'PACKAGE_IN_USE',
        details: { deployments: [{ id: 'dep-1', name: 'Deploy it' }] },
      });
      await db.deleteFrom('deployment').where('id', '=', 'dep-1').execute();
      await api.deletePackage('Deployed');
      expect(await refusal(api.getPackage('Deployed'))).toMatchObject({ status: 404 });
    });

    it('collects unreferenced files after an hour and keeps referenced ones', async () => {
      // Hash-first upload with no version yet: too young to collect.
      const orphan = Buffer.from('uploaded but never used');
      await api.uploadContentFile(sha(orphan), new Uint8Array(orphan));
      // A package whose only version goes away with it.
      await api.createPackage({ name: 'Short Lived' });
      const tree = makeTree('short-src', { 'only-here.txt': { text: 'only in short lived\n' } });
      await api.createVersionFromFolder('Short Lived', tree);
      await api.deletePackage('Short Lived');
      const referenced = (await api.packageVersionFiles('Archived', 2)).map((f) => f.sha256);
      // An agent version's packages are content too: its manifest holds them, not a package.
      const agentTarball = Buffer.from('agent tarball of 7.0.0');
      await api.uploadContentFile(sha(agentTarball), new Uint8Array(agentTarball));
      const unregistered = await api.contentLibrary();
      await api.call(ops.agentVersions.register, {
        body: {
          name: 'steward-agent',
          version: '7.0.0',
          files: [
            {
              name: 'steward-agent-7.0.0-linux.tar.gz',
              kind: 'tarball',
              arch: 'all',
              sha256: sha(agentTarball),
              size: agentTarball.length,
            },
          ],
        },
      });
      referenced.push(sha(agentTarball));
      expect((await api.contentLibrary()).referencedBytes).toBe(
        unregistered.referencedBytes + agentTarball.length,
      );

      expect(await collectUnreferencedContent(siteCtx(), store)).toEqual({ removed: 0 });
      expect(await store.has(sha(orphan))).toBe(true);

      offsetMs += 2 * 3600_000;
      const before = await api.contentLibrary();
      const { removed } = await collectUnreferencedContent(siteCtx(), store);
      expect(removed).toBeGreaterThanOrEqual(2);
      expect(await store.has(sha(orphan))).toBe(false);
      expect(await store.has(sha('only in short lived\n'))).toBe(false);
      for (const h of referenced) expect(await store.verify(h)).toBe(true);
      const after = await api.contentLibrary();
      expect(after.fileCount).toBe(before.fileCount - removed);
      expect(storedOnDisk(store.rootDir)).toHaveLength(after.fileCount);

      // Pruning old versions frees the files only they used.
      await api.createPackage({ name: 'Pruned' });
      await api.createVersionFromFolder(
        'Pruned',
        makeTree('p1', { 'a.txt': { text: 'v1 only\n' } }),
      );
      await api.createVersionFromFolder(
        'Pruned',
        makeTree('p2', { 'a.txt': { text: 'v2 only\n' } }),
      );
      const pruned = await api.pruneVersions('Pruned', 1);
      expect(pruned.map((v) => v.number)).toEqual([2]);
      expect((await api.packageVersions('Pruned')).map((v) => v.number)).toEqual([2]);
      // No body at all (no content type either): keep the default number of versions.
      const prune = ops.packages.pruneVersions;
      const bare = await fetch(`${api.baseUrl}${API_PREFIX}${pathOf(prune, { id: 'Pruned' })}`, {
        method: prune.method,
        headers: api.authHeaders(prune.method),
      });
      expect(bare.status).toBe(200);
      expect(await bare.json()).toEqual([expect.objectContaining({ number: 2 })]);
      offsetMs += 2 * 3600_000;
      expect(await collectUnreferencedContent(siteCtx(), store)).toEqual({ removed: 1 });
      expect(await store.has(sha('v1 only\n'))).toBe(false);
      expect(await store.verify(sha('v2 only\n'))).toBe(true);
    });
  });
});
