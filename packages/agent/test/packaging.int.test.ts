import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCommand, collectInChildProcess } from '../src/inventory/collect-process.js';
import { runProcess } from './install-harness.js';
import { exec, REPO, createTestSite, waitFor, type Site } from '../../../test-support/site.js';

/** The .deb an administrator installs: built, inspected, and its bundled agent enrolled for real. */
describe('the steward-agent Debian package', () => {
  let site: Site;
  let deb: string;
  let root: string;
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'steward-deb-'));
    execFileSync('bash', [join(REPO, 'packages/agent/packaging/build-deb.sh'), out], {
      stdio: 'pipe',
    });
    const file = readdirSync(out).find((f) => f.endsWith('_all.deb'));
    if (!file) throw new Error('no .deb was built');
    deb = join(out, file);
    root = mkdtempSync(join(tmpdir(), 'steward-deb-root-'));
    execFileSync('dpkg-deb', ['-x', deb, root]);
    site = await createTestSite({ withEnrolledDevices: 0 });
  });
  afterAll(async () => {
    await site?.stop();
  });

  it('declares an architecture-independent package that ships the agent, its wrapper and the systemd unit', () => {
    const info = execFileSync('dpkg-deb', ['-f', deb, 'Package', 'Architecture', 'Depends'], {
      encoding: 'utf8',
    });
    expect(info).toContain('Package: steward-agent');
    expect(info).toContain('Architecture: all');
    expect(info).toMatch(/Depends: nodejs/);
    const contents = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
    for (const path of [
      './usr/bin/steward-agent',
      './usr/lib/steward-agent/steward-agent.mjs',
      './usr/lib/steward-agent/steward-collect.mjs',
      './lib/systemd/system/steward-agent.service',
    ]) {
      expect(contents).toContain(path);
    }
    const unit = execFileSync('cat', [join(root, 'lib/systemd/system/steward-agent.service')], {
      encoding: 'utf8',
    });
    expect(unit).toMatch(/ExecStart=\/usr\/bin\/steward-agent run/);
    expect(unit).toMatch(/RestartPreventExitStatus=3/);
  });

  it('follows Debian policy: lintian reports no errors and no warnings', async () => {
    // lintian exits non-zero on any error or warning; its output says which tags fired.
    // Asynchronously: a test process blocked for lintian's seconds would find its keep-alive
    // connections to the site closed under it.
    const r = await runProcess('lintian', ['--fail-on', 'error,warning', deb]);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).not.toMatch(/^[EW]: /m);
  });

  it('ships a Debian changelog, a machine-readable copyright, a manual page and debhelper maintainer scripts', () => {
    const contents = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
    expect(contents).toContain('./usr/share/doc/steward-agent/changelog.Debian.gz');
    expect(contents).toContain('./usr/share/man/man8/steward-agent.8.gz');
    const copyright = readFileSync(join(root, 'usr/share/doc/steward-agent/copyright'), 'utf8');
    expect(copyright).toMatch(
      /^Format: https:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\//,
    );
    expect(execFileSync('dpkg-deb', ['-f', deb, 'Maintainer'], { encoding: 'utf8' })).not.toMatch(
      /@localhost/,
    );
    const control = mkdtempSync(join(tmpdir(), 'steward-deb-control-'));
    execFileSync('dpkg-deb', ['-e', deb, control]);
    const postinst = readFileSync(join(control, 'postinst'), 'utf8');
    expect(postinst).toContain('deb-systemd-helper enable');
    expect(postinst).toContain('deb-systemd-invoke');
    for (const script of ['postinst', 'prerm', 'postrm']) {
      const text = readFileSync(join(control, script), 'utf8');
      // systemctl only for daemon-reload, as debhelper's own snippets do
      expect(
        text.split('\n').filter((l) => /\bsystemctl\b/.test(l) && !/daemon-reload/.test(l)),
      ).toEqual([]);
    }
  });

  it('collects the inventory in the collectors-only steward-collect.mjs beside the agent (ADR 0021)', async () => {
    const agent = join(root, 'usr/lib/steward-agent/steward-agent.mjs');
    const collect = join(root, 'usr/lib/steward-agent/steward-collect.mjs');
    expect(collectCommand(agent)).toEqual([collect]);
    const { inventory } = await collectInChildProcess({ only: ['os', 'package'] }, agent);
    expect(inventory.classes['os']?.[0]).toMatchObject({ family: 'debian' });
    expect(inventory.packages?.length).toBeGreaterThan(0);
    expect(inventory.failures).toEqual([]);
    // Smaller than the agent: it holds the collectors, not the agent and the whole protocol.
    expect(statSync(collect).size).toBeLessThan(statSync(agent).size / 2);
  });

  it('runs from the single bundled file: enrols in a real site and reports its inventory', async () => {
    const agent = join(root, 'usr/lib/steward-agent/steward-agent.mjs');
    const state = mkdtempSync(join(tmpdir(), 'steward-deb-agent-'));
    const token = await site.api.createToken({ description: 'deb test', maxUses: 1 });
    const enrol = await exec(agent, ['enroll', '--token', token.token ?? '', '--state-dir', state]);
    expect(enrol.code, enrol.stderr).toBe(0);
    const once = await exec(agent, ['run', '--once', '--state-dir', state]);
    expect(once.code, once.stderr).toBe(0);
    const device = await waitFor('the packaged agent reports', async () =>
      (await site.api.listDevices()).items.find((d) => d.lastInventoryAt !== null),
    );
    expect(device.osFamily).toBe('debian');
    expect(device.packageCount).toBeGreaterThan(0);
  });
});
