/**
 * The real `steward-agent run` process (build first) with no reachable site: the signed
 * assignments it kept on disk are evaluated offline, a required deployment runs a real program,
 * `steward-agent center` (another real process) lists and installs through the socket, and every
 * outcome waits in the outbox. Time comes from STEWARD_TEST_CLOCK_FILE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, type AssignmentsDocument, type OutboxItem } from '@steward/protocol';
import { deployment, program } from '../../test/software-fixtures.js';
import { makeCerts } from '../../test/test-site.js';

const BIN = fileURLToPath(new URL('../../bin/steward-agent.js', import.meta.url));
const NOW = '2026-06-10T09:00:00.000Z';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The agent service, with a way to wait for a line in its log (no polling). */
function service(env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'run'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stderr?.on('data', (c: Buffer) => {
    log += c.toString();
    for (const w of [...waiters])
      if (w.re.test(log)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    log: () => log,
    until: (re: RegExp) =>
      re.test(log)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ re, resolve })),
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function outbox(stateDir: string): OutboxItem[] {
  const dir = join(stateDir, 'outbox');
  return readdirSync(dir)
    .filter((f) => /^\d{20}\..*\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as OutboxItem);
}

let running: ReturnType<typeof service> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('steward-agent center against the running agent service', () => {
  it('evaluates kept assignments offline, runs programs and serves the Software Center', async () => {
    const root = mkdtempSync(join(tmpdir(), 'steward-center-'));
    const stateDir = join(root, 'state');
    const marks = join(root, 'marks');
    mkdirSync(stateDir, { mode: 0o700 });
    mkdirSync(marks);
    const keys = generateKeyPairSync('ed25519');
    const certs = makeCerts();
    writeFileSync(
      join(stateDir, 'device.json'),
      JSON.stringify({
        deviceId: 'dev-1',
        deviceKey: 'k',
        url: 'https://127.0.0.1:1', // nothing listens: the site is away
        caPem: certs.caPem,
        policySigningKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        siteCode: 'T01',
        enrolledAt: NOW,
      }),
    );
    const doc: AssignmentsDocument = {
      deviceId: 'dev-1',
      issuedAt: NOW,
      deployments: [
        // The window holds every required run here; dep-req may run outside it.
        deployment({
          id: 'dep-req',
          name: 'Required tool',
          programId: 'prog-req',
          overrideMaintenanceWindows: true,
        }),
        deployment({ id: 'dep-opt', name: 'Editor', purpose: 'available', programId: 'prog-opt' }),
        deployment({ id: 'dep-win', name: 'Night job', programId: 'prog-win' }),
      ],
      programs: [
        program({ id: 'prog-req', commandLine: `echo required > ${marks}/required` }),
        program({ id: 'prog-opt', commandLine: `echo optional > ${marks}/optional` }),
        program({ id: 'prog-win', commandLine: `echo night > ${marks}/night` }),
      ],
      maintenanceWindows: [
        {
          id: 'mw-1',
          name: 'night',
          start: '2026-01-01T22:00',
          durationMinutes: 60,
          recurrence: { kind: 'daily', everyDays: 1 },
          timeBase: 'utc',
          appliesTo: 'all',
          enabled: true,
        },
      ],
    };
    const payload = canonicalJson(doc);
    writeFileSync(
      join(stateDir, 'assignments.json'),
      JSON.stringify({
        payload,
        signature: sign(null, Buffer.from(payload), keys.privateKey).toString('base64'),
      }),
    );
    const clockFile = join(root, 'clock');
    writeFileSync(clockFile, NOW);
    const env = {
      ...process.env,
      STEWARD_AGENT_STATE_DIR: stateDir,
      STEWARD_TEST_CLOCK_FILE: clockFile,
    };

    running = service(env);
    await running.until(/run \S+ of deployment dep-req \(Install tool\): succeeded/);
    expect(readFileSync(join(marks, 'required'), 'utf8')).toBe('required\n');

    const list = await cli(['center', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({
      ok: true,
      deployments: [
        { deploymentId: 'dep-opt', state: 'available' },
        { deploymentId: 'dep-win', state: 'waiting-window', nextRunAt: '2026-06-10T22:00:00.000Z' },
      ],
    });
    expect(existsSync(join(marks, 'optional'))).toBe(false);

    const install = await cli(['center', 'install', 'dep-opt'], { ...env, SUDO_USER: 'alice' });
    expect(install).toMatchObject({ code: 0, stdout: '"Editor" will be installed now\n' });
    await running.until(/run \S+ of deployment dep-opt \(Install tool\): succeeded/);
    expect(readFileSync(join(marks, 'optional'), 'utf8')).toBe('optional\n');
    expect(existsSync(join(marks, 'night'))).toBe(false);

    expect(await running.stop()).toBe(0);
    running = undefined;
    const items = outbox(stateDir);
    const states = items.flatMap((i) =>
      i.type === 'deployment:state' ? [`${i.body.deploymentId}:${i.body.state}`] : [],
    );
    expect(states).toEqual([
      'dep-req:received',
      'dep-opt:received',
      'dep-win:received',
      'dep-win:waiting-window',
      'dep-req:running',
      'dep-req:succeeded',
      'dep-opt:running',
      'dep-opt:succeeded',
    ]);
    const messages = items.flatMap((i) => (i.type === 'status:message' ? [i.body] : []));
    expect(messages.find((m) => m.messageId === 40113)?.insertionStrings).toEqual([
      'Editor',
      'alice',
    ]);
    expect(messages.filter((m) => m.messageId === 10008).map((m) => m.attributes)).toEqual([
      { deploymentId: 'dep-req', packageId: 'pkg-1', programId: 'prog-req' },
      { deploymentId: 'dep-opt', packageId: 'pkg-1', programId: 'prog-opt' },
    ]);

    const down = await cli(['center'], env);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error AGENT_NOT_RUNNING: /);
  });
});
