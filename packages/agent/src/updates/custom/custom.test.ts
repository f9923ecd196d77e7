import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentProgram, RuleSet } from '@steward/protocol';
import { createDpkgSandbox, installPackages } from '../../../../../test-support/dpkg-sandbox.js';
import { systemClock } from '../../clock.js';
import { silentLogger } from '../../logger.js';
import { Executor } from '../../software/executor/executor.js';
import { applyCustomUpdate, type CustomUpdateRules } from './apply.js';
import { machineProbes, runRuleCommand } from './probes.js';
import { scanCustomUpdates } from './scan-custom.js';

// Custom-update rules against real things: a dpkg database in a sandbox, files and hashes in a
// directory of the test's own, real shell commands (one that outlives its timeout), and
// install/uninstall programs run by the real executor.
const dir = mkdtempSync(join(tmpdir(), 'steward-custom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const box = createDpkgSandbox(dir, 'machine');
installPackages(dir, box, [
  { name: 'acme-agent', version: '2.1-1' },
  { name: 'acme-old', version: '1:0.9-1' },
]);
const files = join(dir, 'files');
mkdirSync(join(files, 'opt/acme'), { recursive: true });
writeFileSync(join(files, 'opt/acme/acme.conf'), 'mode=secure\n');
const confHash = createHash('sha256').update('mode=secure\n').digest('hex');
const env = { dpkgQuery: 'dpkg-query', admindir: box.admindir };

const update = (id: string, detection: RuleSet, applicability: RuleSet | null = null) => ({
  id,
  detection,
  applicability,
});

/** Whether process `pid` is gone or a zombie, polled until it is (at most 10 s). */
async function gone(pid: number): Promise<boolean> {
  const dead = () => {
    try {
      return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
    } catch {
      return true;
    }
  };
  for (let i = 0; i < 500 && !dead(); i++) await new Promise((r) => setTimeout(r, 20));
  return dead();
}

describe('custom update scan on a real machine', () => {
  it('evaluates package, file, hash and command rules', async () => {
    const results = await scanCustomUpdates(
      [
        update('pkg-new-enough', {
          match: 'all',
          rules: [{ kind: 'package', package: 'acme-agent', minVersion: '2.1-1' }],
        }),
        update('pkg-too-old', {
          match: 'all',
          rules: [{ kind: 'package', package: 'acme-agent', minVersion: '2.1-1+sec1' }],
        }),
        update('epoch', {
          match: 'all',
          rules: [{ kind: 'package', package: 'acme-old', minVersion: '5.0' }],
        }),
        update('hash-match', {
          match: 'all',
          rules: [
            { kind: 'file-exists', path: '/opt/acme/acme.conf' },
            { kind: 'file-sha256', path: '/opt/acme/acme.conf', sha256: confHash },
          ],
        }),
        update('hash-differs', {
          match: 'all',
          rules: [{ kind: 'file-sha256', path: '/opt/acme/acme.conf', sha256: '0'.repeat(64) }],
        }),
        update(
          'not-applicable',
          { match: 'all', rules: [{ kind: 'command', command: 'exit 0' }] },
          { match: 'any', rules: [{ kind: 'file-exists', path: '/opt/other' }] },
        ),
        update('command-exit', {
          match: 'all',
          rules: [{ kind: 'command', command: 'exit 4', exitCode: 4 }],
        }),
      ],
      env,
      { root: files },
    );
    expect(Object.fromEntries(results.map((r) => [r.updateId, r.state]))).toEqual({
      'pkg-new-enough': 'installed',
      'pkg-too-old': 'required',
      epoch: 'installed',
      'hash-match': 'installed',
      'hash-differs': 'required',
      'not-applicable': 'not-required',
      'command-exit': 'installed',
    });
  });

  it('a command that outlives its timeout is Unknown, and its whole process group is killed', async () => {
    const pidFile = join(dir, 'child.pid');
    const r = await runRuleCommand(`sh -c 'echo $$ > ${pidFile}; exec sleep 60' & sleep 30`, 1);
    expect(r).toEqual({ unknown: 'timed out after 1 s' });
    // The background child was in the killed group: wait for it to be gone (or a zombie).
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(await gone(pid)).toBe(true);
    const results = await scanCustomUpdates(
      [
        update('slow', {
          match: 'all',
          rules: [{ kind: 'command', command: 'sleep 30', timeoutSeconds: 1 }],
        }),
      ],
      env,
    );
    expect(results[0]).toMatchObject({
      state: 'unknown',
      details: ['command: timed out after 1 s'],
    });
  });

  it('an unreadable file is Unknown, not absent', async () => {
    const probes = machineProbes({ installed: new Map(), root: files });
    // A path through a regular file is absent (ENOTDIR); a directory read as a file is unreadable.
    expect(await probes.fileSha256('/opt/acme/acme.conf/x')).toBeUndefined();
    expect(await probes.fileSha256('/opt/acme')).toBe('unknown');
  });
});

describe('installing and removing a custom update', () => {
  const packageDir = join(dir, 'content');
  mkdirSync(packageDir, { recursive: true });
  const target = join(dir, 'installed-marker');
  const script = (name: string, body: string) => {
    writeFileSync(join(packageDir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(packageDir, name), 0o755);
  };
  script('install.sh', `echo 2.0 > ${target}`);
  script('uninstall.sh', `rm -f ${target}`);
  script('broken.sh', 'echo "disk full" >&2; exit 3');
  script('noop.sh', 'exit 0');
  const program = (commandLine: string): AgentProgram => ({
    id: `prog-${commandLine}`,
    name: commandLine,
    packageId: 'pkg-acme',
    packageName: 'Acme',
    packageVersionId: 'pv-1',
    files: [],
    commandLine,
    workingDirectory: '.',
    runAs: 'root',
    maxRunMinutes: 5,
    successExitCodes: [0],
    rebootExitCodes: [194],
    requirements: {},
    dependsOnProgramId: null,
    disabled: false,
  });
  const rules: CustomUpdateRules = update('acme-2.0', {
    match: 'all',
    rules: [{ kind: 'file-exists', path: target }],
  });
  const executor = new Executor({
    stateDir: join(dir, 'agent-state'),
    clock: systemClock,
    log: silentLogger,
    pollMs: 50,
  });
  const probes = machineProbes({ installed: new Map() });
  let n = 0;
  const apply = (action: 'install' | 'uninstall', commandLine: string | null) =>
    applyCustomUpdate({
      action,
      update: rules,
      program: commandLine === null ? null : program(commandLine),
      packageDir,
      runId: `run-${String(++n)}`,
      deploymentId: 'dep-1',
      revision: 1,
      executor,
      probes,
    });

  it('installs, skips what is already installed, removes, and says why when it fails', async () => {
    const noop = await apply('install', './noop.sh');
    expect(noop).toMatchObject({
      result: 'failed',
      failure: 'DETECTION_MISMATCH',
      stateBefore: 'required',
      stateAfter: 'required',
    });
    const broken = await apply('install', './broken.sh');
    expect(broken).toMatchObject({ result: 'failed', failure: 'PROGRAM_FAILED' });
    expect(broken.run?.outputTail).toContain('disk full');
    expect(await apply('install', null)).toMatchObject({ result: 'failed', failure: 'NO_PROGRAM' });

    const installed = await apply('install', './install.sh');
    expect(installed).toMatchObject({
      result: 'succeeded',
      skipped: false,
      stateBefore: 'required',
      stateAfter: 'installed',
    });
    expect(await apply('install', './install.sh')).toMatchObject({
      result: 'succeeded',
      skipped: true,
    });
    const removed = await apply('uninstall', './uninstall.sh');
    expect(removed).toMatchObject({ result: 'succeeded', stateAfter: 'required' });
    expect(await apply('uninstall', './uninstall.sh')).toMatchObject({ skipped: true });
  });

  it('refuses to install where the update does not apply', async () => {
    const r = await applyCustomUpdate({
      action: 'install',
      update: update('x', rules.detection, {
        match: 'all',
        rules: [{ kind: 'command', command: 'exit 1' }],
      }),
      program: program('./install.sh'),
      packageDir,
      runId: 'run-na',
      deploymentId: 'dep-1',
      revision: 1,
      executor,
      probes,
    });
    expect(r).toMatchObject({
      result: 'failed',
      failure: 'NOT_APPLICABLE',
      stateBefore: 'not-required',
    });
  });
});
