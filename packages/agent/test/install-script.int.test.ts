import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCommandOf } from '@steward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, exec, STEWARD, waitFor, type Site } from '../../../test-support/site.js';
import {
  buildTarball,
  installLines,
  runProcess,
  stopDetached,
  tarballVersionFolder,
} from './install-harness.js';

/**
 * The site-served install script, as an administrator pastes the console's one-liner on a new
 * machine: curl | sh against a real site whose production agent version is the real tarball.
 */
describe('the site-served install script', () => {
  let site: Site;
  let token: string;
  const states: string[] = [];

  beforeAll(async () => {
    const { tarball } = buildTarball();
    const { dir, version } = tarballVersionFolder(tarball);
    site = await createTestSite({ withEnrolledDevices: 0 });
    const env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    for (const args of [
      ['agent-version', 'add', dir],
      ['agent-version', 'settings', 'set', '--production', version],
    ]) {
      const r = await exec(STEWARD, args, { env });
      expect(r.code, r.stderr).toBe(0);
    }
    token = (await site.api.createToken({ description: 'install script', maxUses: 3 })).token ?? '';
  });
  afterAll(async () => {
    for (const s of states) await stopDetached(s);
    await site?.stop();
  });

  const oneLiner = async (script: string, args: string) => {
    const prefix = mkdtempSync(join(tmpdir(), 'steward-one-liner-'));
    const state = join(prefix, 'state');
    states.push(state);
    const r = await runProcess('sh', [
      '-c',
      `curl -fsSk '${script}' | sh -s -- ${args} --prefix '${prefix}' --state-dir '${state}' --service none`,
    ]);
    return { ...r, prefix, state, lines: installLines(r.stdout) };
  };

  it('installs, enrols and starts the production version: token in the URL', async () => {
    const r = await oneLiner(`${site.agentUrl}/install.sh?token=${token}`, '');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.lines.map((l) => `${l.step}=${l.status}`)).toEqual([
      'ca=ok',
      'download=ok',
      'files=ok',
      'enrol=ok',
      'service=ok',
      'start=ok',
    ]);
    // The agent and, beside it, the collectors-only bundle its inventory process starts.
    for (const f of ['steward-agent.mjs', 'steward-collect.mjs'])
      expect(existsSync(join(r.prefix, 'usr/lib/steward-agent', f)), f).toBe(true);
    const identity: unknown = JSON.parse(readFileSync(join(r.state, 'device.json'), 'utf8'));
    const deviceId =
      typeof identity === 'object' && identity !== null && 'deviceId' in identity
        ? String(identity.deviceId)
        : '';
    await waitFor('the device installed by the script reports its inventory', async () =>
      (await site.api.listDevices()).items.find(
        (d) => d.id === deviceId && d.lastInventoryAt !== null,
      ),
    );
  });

  it('installs with the token as an argument: sh -s -- --token T', async () => {
    const r = await oneLiner(`${site.agentUrl}/install.sh`, `--token '${token}'`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.lines.at(-1)).toMatchObject({ step: 'start', status: 'ok' });
    expect((await site.api.listDevices()).items).toHaveLength(2);
  });

  const pinnedLine = async (caPemSha256: string) => {
    const prefix = mkdtempSync(join(tmpdir(), 'steward-one-liner-'));
    const state = join(prefix, 'state');
    states.push(state);
    const line = installCommandOf({ agentUrl: site.agentUrl, caPemSha256, token });
    const r = await runProcess('sh', [
      '-c',
      `${line} --prefix '${prefix}' --state-dir '${state}' --service none`,
    ]);
    return { ...r, prefix, state, lines: installLines(r.stdout) };
  };

  it("installs with the console's one-liner, which checks the CA before running anything", async () => {
    const { caPemSha256 } = await site.api.site();
    const before = (await site.api.listDevices()).items.length;
    const r = await pinnedLine(caPemSha256);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.lines.at(-1)).toMatchObject({ step: 'start', status: 'ok' });
    expect((await site.api.listDevices()).items).toHaveLength(before + 1);
  });

  it('runs nothing when the CA the site serves is not the one the one-liner names', async () => {
    const r = await pinnedLine('0'.repeat(64));
    expect(r.code).not.toBe(0);
    expect(r.lines).toEqual([]);
    expect(existsSync(join(r.prefix, 'usr'))).toBe(false);
  });

  it('refuses a site whose CA is not the one the token names, before downloading anything', async () => {
    const forged = `stw1.${Buffer.from(
      JSON.stringify({ u: site.agentUrl, f: '0'.repeat(64), s: 'x'.repeat(32) }),
    ).toString('base64url')}`;
    const r = await oneLiner(`${site.agentUrl}/install.sh`, `--token '${forged}'`);
    expect(r.code).toBe(50);
    expect(r.lines).toEqual([expect.objectContaining({ step: 'ca', status: 'failed' })]);
    expect(existsSync(join(r.prefix, 'usr'))).toBe(false);
  });
});
