import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { AgentPackageManifest } from '@steward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import {
  buildAllPackages,
  installLines,
  pathWithoutNode,
  pidOf,
  runProcess,
  stopDetached,
} from './install-harness.js';

/**
 * `npm run package:agent`: the .deb, the tarball and the single executable with their manifest;
 * the single executable enrols and reports on a machine without Node.js.
 */
describe('agent packages and the single executable', () => {
  let site: Site;
  let out: string;
  let manifest: AgentPackageManifest;
  let sea: string;
  const noNode = pathWithoutNode();
  // Nothing from the test runner's environment: no node on PATH, no NODE_OPTIONS.
  const bareEnv = { PATH: noNode, HOME: tmpdir(), LANG: 'C.UTF-8' };
  const installState = join(mkdtempSync(join(tmpdir(), 'steward-sea-install-')), 'state');

  beforeAll(async () => {
    out = buildAllPackages();
    const parsed: unknown = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    if (!Value.Check(AgentPackageManifest, parsed)) throw new Error('manifest.json is off-schema');
    manifest = parsed;
    const file = manifest.files.find((f) => f.kind === 'sea');
    if (!file) throw new Error('no single executable in the manifest');
    sea = join(out, file.name);
    site = await createTestSite({ withEnrolledDevices: 0 });
  });
  afterAll(async () => {
    await stopDetached(installState);
    await site?.stop();
  });

  it('lists the three packages with their real hashes and sizes', () => {
    expect(manifest.files.map((f) => f.kind).sort()).toEqual(['deb', 'sea', 'tarball']);
    for (const f of manifest.files) {
      const bytes = readFileSync(join(out, f.name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
      expect(statSync(join(out, f.name)).size).toBe(f.size);
      expect(f.name).toContain(manifest.version);
    }
  });

  it('runs --version and enrols against a real site with no Node.js on PATH', async () => {
    const which = await runProcess('sh', ['-c', 'command -v node || echo none'], { env: bareEnv });
    expect(which.stdout.trim()).toBe('none');
    const version = await runProcess(sea, ['--version'], { env: bareEnv });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(manifest.version);
    expect(version.stderr).toBe('');

    const state = mkdtempSync(join(tmpdir(), 'steward-sea-agent-'));
    const token = await site.api.createToken({ description: 'sea test', maxUses: 1 });
    const enrol = await runProcess(
      sea,
      ['enroll', '--token', token.token ?? '', '--state-dir', state, '--json'],
      { env: bareEnv },
    );
    expect(enrol.code, enrol.stderr).toBe(0);
    const enrolled: unknown = JSON.parse(enrol.stdout);
    expect(enrolled).toMatchObject({ siteCode: expect.any(String) });
    const once = await runProcess(sea, ['run', '--once', '--state-dir', state], { env: bareEnv });
    expect(once.code, once.stderr).toBe(0);
    await waitFor('the single executable reports its inventory', async () =>
      (await site.api.listDevices()).items.find((d) => d.lastInventoryAt !== null),
    );
  });

  it('install-agent.sh installs the single executable when the machine has no Node.js', async () => {
    const unpacked = mkdtempSync(join(tmpdir(), 'steward-sea-tar-'));
    const tarball = manifest.files.find((f) => f.kind === 'tarball');
    execFileSync('tar', ['-xzf', join(out, tarball?.name ?? ''), '-C', unpacked]);
    copyFileSync(sea, join(unpacked, 'steward-agent/bin/steward-agent-sea'));
    const prefix = mkdtempSync(join(tmpdir(), 'steward-sea-prefix-'));
    const token = await site.api.createToken({ description: 'sea install', maxUses: 1 });
    const r = await runProcess(
      'sh',
      [
        join(unpacked, 'steward-agent/install-agent.sh'),
        '--token',
        token.token ?? '',
        '--prefix',
        prefix,
        '--state-dir',
        installState,
        '--service',
        'none',
      ],
      { env: bareEnv },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = installLines(r.stdout);
    expect(lines.map((l) => `${l.step}=${l.status}`)).toEqual([
      'files=ok',
      'enrol=ok',
      'service=ok',
      'start=ok',
    ]);
    expect(lines[0]?.detail).toContain('(sea)');
    expect(statSync(join(prefix, 'usr/lib/steward-agent/steward-agent')).mode & 0o111).not.toBe(0);
    expect(pidOf(installState)).toBeDefined();
    const identity: unknown = JSON.parse(readFileSync(join(installState, 'device.json'), 'utf8'));
    const deviceId =
      typeof identity === 'object' && identity !== null && 'deviceId' in identity
        ? String(identity.deviceId)
        : '';
    await waitFor('the installed single executable reports its inventory', async () =>
      (await site.api.listDevices()).items.find(
        (d) => d.id === deviceId && d.lastInventoryAt !== null,
      ),
    );
  });
});
