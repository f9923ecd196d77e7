/**
 * The real `steward-agent` process (bin/steward-agent.js -> dist/cli.js, so build first) against
 * the in-process test site: enrolment, `run --once`, `status`, and the service stopping cleanly
 * on SIGTERM. STEWARD_AGENT_BIN=/path/to/steward-agent.mjs runs the same cases against the
 * single-file bundle that build-deb.sh packages.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestSite } from '../test/test-site.js';

const BIN =
  process.env['STEWARD_AGENT_BIN'] ??
  fileURLToPath(new URL('../bin/steward-agent.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function agent(
  args: string[],
  stateDir: string,
  onSpawn?: (kill: (s: NodeJS.Signals) => void) => void,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, STEWARD_AGENT_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    onSpawn?.((s) => child.kill(s));
  });
}

let site: TestSite;
let stateDir: string;
beforeEach(async () => {
  site = await TestSite.start();
  site.setPolicy({ settings: { softwareScanPaths: [] } });
  stateDir = join(mkdtempSync(join(tmpdir(), 'steward-proc-')), 'state');
});
afterEach(async () => {
  await site.close();
});

describe('steward-agent process', () => {
  it('enrols, runs one cycle, and reports status (state dir from the environment)', async () => {
    const enrol = await agent(['enroll', '--token', site.token(), '--json'], stateDir);
    expect(enrol.stderr).toBe('');
    expect(enrol.code).toBe(0);
    expect(JSON.parse(enrol.stdout)).toEqual(
      expect.objectContaining({ deviceId: 'dev-1', stateDir }),
    );

    const once = await agent(['run', '--once'], stateDir);
    expect(once.code).toBe(0);
    expect(site.inventories().map((i) => i.kind)).toEqual(['full']);
    expect(site.messages().map((m) => m.messageId)).toEqual(
      expect.arrayContaining([40003, 40001, 40010, 40020, 40002]),
    );
    expect(site.badRequests).toEqual([]);

    const status = await agent(['status', '--json'], stateDir);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(
      expect.objectContaining({ outboxDepth: 0, policyVersion: site.policy.version }),
    );
  });

  it('runs as a service until SIGTERM, then records 40002 and exits 0', async () => {
    expect((await agent(['enroll', '--token', site.token()], stateDir)).code).toBe(0);
    let kill: (s: NodeJS.Signals) => void = () => undefined;
    const running = agent(['run'], stateDir, (k) => (kill = k));
    await site.until(() => site.sockets.size === 1 && site.messages(40020).length === 1);
    kill('SIGTERM');
    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/stopping \(SIGTERM\)/);
    await site.until(() => site.messages(40002).length === 1);
    expect(site.messages(40002)[0]?.insertionStrings).toEqual(['SIGTERM']);
  });

  it('prints errors as "error CODE: message" with a non-zero exit', async () => {
    const notEnrolled = await agent(['run', '--once'], stateDir);
    expect(notEnrolled.code).toBe(1);
    expect(notEnrolled.stderr).toMatch(/^error NOT_ENROLLED: /m);
    const usage = await agent(['enroll', '--bogus'], stateDir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error USAGE: /);
    const inventory = await agent(['inventory', '--class', 'memory', '--json'], stateDir);
    expect(inventory.code).toBe(0);
    expect(JSON.parse(inventory.stdout).classes.memory[0].totalMb).toBeGreaterThan(0);
  });

  it('prints a large inventory completely through a pipe before exiting', async () => {
    // A reader that starts late: the pipe fills (64 KiB) and the rest must still arrive after
    // the agent is done. The pause simulates a slow consumer; nothing waits on it.
    const script = `"${process.execPath}" "${BIN}" inventory --json | (sleep 1; cat)`;
    const result = await new Promise<Result>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', script], {
        env: { ...process.env, STEWARD_AGENT_STATE_DIR: stateDir },
      });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
    });
    expect(result.code).toBe(0);
    const parsed: unknown = JSON.parse(result.stdout);
    expect(parsed).toEqual(
      expect.objectContaining({ classes: expect.objectContaining({ os: expect.any(Array) }) }),
    );
  });
});
