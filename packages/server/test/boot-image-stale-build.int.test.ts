/**
 * A boot image build cut off by a server restart (issue 11, ADR 0079), on both databases: the
 * build hangs inside debootstrap on a mirror that accepts connections and never answers, the
 * server is killed (SIGKILL: no shutdown code runs), the test clock moves past the heartbeat's
 * staleness, and the restarted server marks the build `interrupted` with status message 52480;
 * the name is then free for a new build, which BOOT_IMAGE_BUILD_RUNNING refused before.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ops, type BootImage } from '@steward/protocol';
import {
  createTestSite,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

/** A "mirror" that holds every connection open without a byte: debootstrap waits on it. */
async function silentMirror(): Promise<{ url: string; connections: () => number; close(): void }> {
  const sockets = new Set<Socket>();
  let seen = 0;
  const server: Server = createServer((s) => {
    seen += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${String(port)}/debian`,
    connections: () => seen,
    close() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

describe.each(dialects)('a boot image build cut off by a restart (%s)', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  let mirror: Awaited<ReturnType<typeof silentMirror>>;
  let clockFile: string;

  beforeAll(async () => {
    if (skip) return;
    mirror = await silentMirror();
    const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'stale-build-'));
    clockFile = join(dir, 'clock');
    writeFileSync(clockFile, new Date().toISOString());
    const bundle = join(dir, 'agent.mjs');
    writeFileSync(bundle, '// never reached: the build stops in debootstrap\n');
    site = await createTestSite({
      dialect,
      withEnrolledDevices: 0,
      env: {
        STEWARD_TEST_CLOCK_FILE: clockFile,
        STEWARD_BOOT_AGENT_BUNDLE: bundle,
        STEWARD_BOOT_IMAGE_CACHE: join(dir, 'cache'),
      },
    });
    await site.api.call(ops.bootImages.updateSettings, { body: { mirror: mirror.url } });
  }, 180_000);
  afterAll(async () => {
    // The killed server's debootstrap is an orphan waiting on the mirror: closing it ends that.
    mirror?.close();
    await site?.stop();
  });

  const image = (id: string): Promise<BootImage> =>
    site.api.call(ops.bootImages.get, { params: { id } });

  it.skipIf(skip)(
    'marks the build interrupted after a restart and frees its name',
    async () => {
      const first = await site.api.call(ops.bootImages.build, { body: { name: 'stale' } });
      expect(first.status).toBe('building');
      // The build is inside debootstrap, talking to the mirror.
      await waitFor('debootstrap to reach the mirror', () => mirror.connections() > 0, 120_000);
      const blocked = await site.api.call(ops.bootImages.build, { body: { name: 'stale' } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(blocked).toBeInstanceOf(ApiError);
      expect(blocked instanceof ApiError && blocked.code).toBe('BOOT_IMAGE_BUILD_RUNNING');

      await site.restartServer(() => {
        // Down for longer than a build may stay silent (BUILD_STALE_MS, two minutes).
        writeFileSync(clockFile, new Date(Date.now() + 10 * 60_000).toISOString());
        return Promise.resolve();
      }, 'SIGKILL');

      const interrupted = await waitFor('the build marked interrupted', async () => {
        const b = await image(first.id);
        return b.status === 'interrupted' ? b : undefined;
      });
      expect(interrupted.progressText).toContain('stopped before the build finished');
      const messages = await site.api.call(ops.status.listMessages, {
        query: { messageId: 52480 },
      });
      expect(messages.items).toHaveLength(1);
      expect(messages.items[0]?.insertionStrings.slice(0, 3)).toEqual(['stale', '1', 'amd64']);

      // The name is free again: the next version builds.
      const second = await site.api.call(ops.bootImages.build, { body: { name: 'stale' } });
      expect(second).toMatchObject({ version: 2, status: 'building' });
      expect((await image(first.id)).status).toBe('interrupted');
      mirror.close();
      const failed = await waitFor(
        'the second build to end once the mirror is gone',
        async () => {
          const b = await image(second.id);
          return b.status !== 'building' ? b : undefined;
        },
        180_000,
      );
      expect(failed.status).toBe('failed');
    },
    420_000,
  );
});
