/**
 * PXE managed on the site (issue 11, ADR 0079), on both databases, with two real standalone DP
 * processes (`steward server --roles dp`): the settings round-trip through the API; each DP
 * applies the site's settings on its next poll, without a restart; the boundary groups set on
 * each DP decide which one boots a client (the other sends it to its next device); a DP serves
 * the iPXE script, the boot image and the TFTP first stage over its real ports; the requests each
 * DP saw are visible on the site, per machine.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ops } from '@steward/protocol';
import {
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  startServerProcess,
  waitFor,
  type ServerHandle,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';

const run = promisify(execFile);
const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
const canRun = existsSync('/usr/lib/ipxe/undionly.kpxe') && existsSync('/usr/bin/curl');
const MAC = '52:54:00:7e:00:01';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address();
  await new Promise((r) => s.close(r));
  return typeof addr === 'object' && addr ? addr.port : 0;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof ApiError ? err.code : `no ApiError: ${String(err)}`;
}

/** The iPXE script a DP's HTTP listener answers, or undefined while nothing listens there. */
async function script(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${String(port)}/pxe/v1/script?mac=${MAC}`);
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

/** The TFTP port a DP's responder bound (it logs its ports when it starts listening). */
function tftpPort(dataDir: string): number | undefined {
  const path = join(dataDir, 'server.log');
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  for (const line of lines.reverse()) {
    const parsed: unknown = JSON.parse(line);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'msg' in parsed &&
      parsed.msg === 'PXE responder listening' &&
      'ports' in parsed
    ) {
      const ports: unknown = parsed.ports;
      if (typeof ports === 'object' && ports !== null && 'tftp' in ports)
        return typeof ports.tftp === 'number' ? ports.tftp : undefined;
    }
  }
  return undefined;
}

describe.each(dialects)('PXE settings from the site on standalone DPs (%s)', (dialect) => {
  const skip = !canRun || (dialect === 'postgres' && !hasPg);
  let site: Site;
  const dps: { id: string; dir: string; port: number; proc?: ServerHandle }[] = [];
  const kernel = Buffer.from('a kernel, as far as this test is concerned\n');

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    for (const name of ['pxe-a', 'pxe-b']) {
      const reg = await site.api.call(ops.distributionPoints.create, { body: { name } });
      const dir = join(site.dir, name);
      mkdirSync(dir, { recursive: true });
      // What stays local to the DP: its boot image files and what it offers (ADR 0068).
      writeFileSync(join(dir, 'kernel'), kernel);
      writeFileSync(join(dir, 'initrd'), 'initrd\n');
      writeFileSync(
        join(dir, 'pxe.json'),
        JSON.stringify({
          serverAddress: '127.0.0.1',
          bootImage: 'lab',
          images: {
            lab: { kernel: join(dir, 'kernel'), initrd: join(dir, 'initrd'), cmdline: 'quiet' },
          },
        }),
      );
      const proc = await startServerProcess({
        dataDir: dir,
        password: 'unused',
        roles: 'dp',
        env: {
          STEWARD_DP_TOKEN: reg.registrationToken,
          STEWARD_DP_POLL_SECONDS: '1',
          STEWARD_DP_PXE_PORTS: '0,0,0',
        },
      });
      dps.push({ id: reg.distributionPoint.id, dir, port: await freePort(), proc });
    }
  }, 180_000);
  afterAll(async () => {
    for (const dp of dps) await dp.proc?.stop();
    await site?.stop();
  });

  it.skipIf(skip)('round-trips the settings and refuses what it cannot do', async () => {
    const [a] = dps;
    if (!a) throw new Error('no DP');
    const fresh = await site.api.call(ops.dpPxe.get, { params: { id: 'pxe-a' } });
    expect(fresh).toMatchObject({
      dpId: a.id,
      enabled: false,
      answerBios: true,
      respondToUnknown: false,
      serverAddress: null,
      boundaryGroupIds: [],
      passwordSet: false,
      updatedAt: null,
    });
    expect(
      await refusal(
        site.api.call(ops.dpPxe.update, { params: { id: 'site-server' }, body: { enabled: true } }),
      ),
    ).toBe('PXE_SITE_SERVER_DP');
    expect(
      await refusal(
        site.api.call(ops.dpPxe.update, {
          params: { id: a.id },
          body: { boundaryGroupIds: ['no-such-group'] },
        }),
      ),
    ).toBe('BOUNDARY_GROUP_NOT_FOUND');
    expect(
      await refusal(
        site.api.call(ops.dpPxe.update, {
          params: { id: a.id },
          body: { responseDelaySeconds: 33 },
        }),
      ),
    ).toBe('INVALID_INPUT');
    expect(await refusal(site.api.call(ops.dpPxe.get, { params: { id: 'no-such-dp' } }))).toBe(
      'DP_NOT_FOUND',
    );
    const set = await site.api.call(ops.dpPxe.update, {
      params: { id: a.id },
      body: { answerUefi: false, responseDelaySeconds: 3, password: 'pxe-secret' },
    });
    expect(set).toMatchObject({ enabled: false, answerUefi: false, responseDelaySeconds: 3 });
    expect(set.passwordSet).toBe(true);
    expect(set.updatedBy).toBe('admin');
    expect(await site.api.call(ops.dpPxe.get, { params: { id: a.id } })).toEqual(set);
    const cleared = await site.api.call(ops.dpPxe.update, {
      params: { id: a.id },
      body: { password: null, answerUefi: true, responseDelaySeconds: 0 },
    });
    expect(cleared.passwordSet).toBe(false);
    // The CLI reads the same operations: flags from the declaration, the password from stdin.
    const env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    const viaCli = await exec(
      STEWARD,
      [
        'dp',
        'pxe',
        'set',
        'pxe-a',
        '--pxe-delay',
        '5',
        '--no-pxe-bios',
        '--password-stdin',
        '--json',
      ],
      { env, input: 'cli-secret\n' },
    );
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(JSON.parse(viaCli.stdout)).toMatchObject({
      responseDelaySeconds: 5,
      answerBios: false,
      passwordSet: true,
    });
    const tooLong = await exec(STEWARD, ['dp', 'pxe', 'set', 'pxe-a', '--pxe-delay', '99'], {
      env,
    });
    expect(tooLong.code).toBe(2);
    const shown = await exec(STEWARD, ['dp', 'pxe', 'show', 'pxe-a'], { env });
    expect(shown.stdout).toMatch(/Response delay:\s+5 seconds/);
    await site.api.call(ops.dpPxe.update, {
      params: { id: a.id },
      body: { password: null, answerBios: true, responseDelaySeconds: 0 },
    });
    const messages = await site.api.call(ops.status.listMessages, {
      query: { messageId: 52481 },
    });
    expect(messages.items).toHaveLength(4);
    // The password itself is in neither the audit log nor a status message.
    const audit = await site.api.call(ops.audit.list, {
      query: { action: 'distribution-point.pxe' },
    });
    expect(JSON.stringify(audit)).not.toContain('pxe-secret');
    expect(JSON.stringify(messages)).not.toContain('pxe-secret');
    expect(JSON.stringify(audit)).not.toContain('cli-secret');
  });

  it.skipIf(skip)(
    'applies the settings without a restart; boundary groups decide which DP boots a client',
    async () => {
      const [a, b] = dps;
      if (!a || !b) throw new Error('no DPs');
      // The test's clients come from 127.0.0.1: inside group "lab", outside group "branch".
      const lab = await site.api.call(ops.boundaryGroups.create, { body: { name: 'lab' } });
      const branch = await site.api.call(ops.boundaryGroups.create, { body: { name: 'branch' } });
      await site.api.call(ops.boundaries.create, {
        body: {
          name: 'loopback',
          type: 'subnet',
          value: '127.0.0.0/8',
          boundaryGroupIds: [lab.id],
        },
      });
      await site.api.call(ops.boundaries.create, {
        body: {
          name: 'branch-net',
          type: 'range',
          value: '10.99.0.10-10.99.0.200',
          boundaryGroupIds: [branch.id],
        },
      });
      expect(await script(a.port)).toBeUndefined();
      for (const [dp, group] of [
        [a, lab.id],
        [b, branch.id],
      ] as const)
        await site.api.call(ops.dpPxe.update, {
          params: { id: dp.id },
          body: {
            enabled: true,
            httpPort: dp.port,
            serverAddress: '127.0.0.1',
            boundaryGroupIds: [group],
          },
        });

      // The same DP processes: they take the settings on their next poll.
      const fromA = await waitFor('DP a answering PXE', () => script(a.port));
      expect(fromA).toContain(`kernel http://127.0.0.1:${String(a.port)}/pxe/v1/images/lab/kernel`);
      const fromB = await waitFor('DP b answering PXE', () => script(b.port));
      expect(fromB).toContain('outside the boundary groups this DP answers PXE for');
      expect(fromB).toContain('exit');

      // DP a serves the boot image over HTTP and the first stage over TFTP, on its real ports.
      const got = await fetch(`http://127.0.0.1:${String(a.port)}/pxe/v1/images/lab/kernel`);
      expect(Buffer.from(await got.arrayBuffer())).toEqual(kernel);
      const tftp = await waitFor('the TFTP port in the DP log', () => tftpPort(a.dir));
      const out = join(a.dir, 'undionly.kpxe');
      await run('curl', ['-s', '-o', out, `tftp://127.0.0.1:${String(tftp)}/undionly.kpxe`]);
      expect(readFileSync(out)).toEqual(readFileSync('/usr/lib/ipxe/undionly.kpxe'));

      // What each DP decided, visible on the site, per machine.
      const seenA = await waitFor('DP a activity on the site', async () => {
        const act = await site.api.call(ops.dpPxe.activity, {
          params: { id: a.id },
          query: { mac: MAC.toUpperCase().replaceAll(':', '-') },
        });
        return act.items.some((e) => e.stage === 'script') ? act : undefined;
      });
      expect(seenA.items.every((e) => e.client === MAC)).toBe(true);
      expect(seenA.items.find((e) => e.stage === 'script')?.detail).toMatch(/^boot lab/);
      const seenB = await waitFor('DP b activity on the site', async () => {
        const act = await site.api.call(ops.dpPxe.activity, { params: { id: b.id }, query: {} });
        return act.items.length > 0 ? act : undefined;
      });
      expect(seenB.items[0]).toMatchObject({ stage: 'script', client: MAC, address: '127.0.0.1' });
      expect(seenB.items[0]?.detail).toContain('outside the boundary groups');

      // Moving DP b's answer to the lab group makes it boot the client too; disabling a stops it.
      await site.api.call(ops.dpPxe.update, {
        params: { id: b.id },
        body: { boundaryGroupIds: [lab.id, branch.id] },
      });
      await waitFor('DP b booting the lab client', async () =>
        (await script(b.port))?.includes('/pxe/v1/images/lab/kernel'),
      );
      await site.api.call(ops.dpPxe.update, { params: { id: a.id }, body: { enabled: false } });
      await waitFor('DP a to stop answering', async () => (await script(a.port)) === undefined);
      expect(a.proc?.proc.child.exitCode).toBeNull();
    },
    180_000,
  );
});
