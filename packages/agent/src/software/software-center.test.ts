import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deployment, program } from '../../test/software-fixtures.js';
import { harness, type Harness } from '../../test/software-harness.js';
import type { CliIo } from '../commands/cli-io.js';
import { runCli } from '../commands/cli-main.js';
import type { Logger } from '../logger.js';
import { centerRequest } from './center-client.js';
import { centerSocketPath } from './center-protocol.js';
import { DesktopNotifier } from './notify.js';

const NOW = '2026-06-10T09:00:00.000Z';

function io(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    env,
    out: (t: string) => {
      captured.stdout += t;
    },
    err: (t: string) => {
      captured.stderr += t;
    },
  };
  return captured;
}

let open: Harness[] = [];
afterEach(async () => {
  for (const h of open) await h.service.stop();
  open = [];
});

async function center(): Promise<Harness> {
  const h = await harness(
    {
      deployments: [
        deployment({ id: 'dep-opt', name: 'Editor', purpose: 'available', triggers: [] }),
        deployment({
          id: 'dep-req',
          name: 'Security fix',
          triggers: [{ type: 'at', start: '2026-06-10T12:00' }],
          maxPostponeMinutes: 120,
        }),
        deployment({ id: 'dep-old', name: 'Expired', expiresAt: '2026-06-01T00:00' }),
      ],
      programs: [program()],
    },
    NOW,
    (s) => s.executor.outcomes.set('prog-1', { result: 'succeeded', exitCode: 0 }),
  );
  open.push(h);
  await h.service.start({ center: true });
  return h;
}

describe('the Software Center socket', () => {
  it('is reachable by every local user and lists offered and upcoming software', async () => {
    const h = await center();
    expect(statSync(centerSocketPath(h.stateDir)).mode & 0o777).toBe(0o666);
    expect(statSync(h.stateDir).mode & 0o011).toBe(0o011);
    const answer = await centerRequest(h.stateDir, { op: 'list' });
    expect(answer).toMatchObject({
      ok: true,
      deployments: [
        { deploymentId: 'dep-opt', purpose: 'available', state: 'available', nextRunAt: null },
        {
          deploymentId: 'dep-req',
          purpose: 'required',
          state: 'scheduled',
          nextRunAt: '2026-06-10T12:00:00.000Z',
          maxPostponeMinutes: 120,
          postponeRemainingMinutes: 120,
        },
      ],
    });
  });

  it('installs available software on request and records who asked (40113)', async () => {
    const h = await center();
    const out = io({ SUDO_USER: 'alice' });
    const code = await runCli(['center', 'install', 'dep-opt', '--state-dir', h.stateDir], out);
    expect({ code, stdout: out.stdout }).toEqual({
      code: 0,
      stdout: '"Editor" will be installed now\n',
    });
    expect(h.sink.messages.find((m) => m.messageId === 40113)).toMatchObject({
      insertionStrings: ['Editor', 'alice'],
      attributes: { deploymentId: 'dep-opt' },
    });
    expect(h.ticks).toBeGreaterThan(0);
    await h.service.tick();
    await h.service.idle();
    expect(h.executor.started.map((r) => r.deploymentId)).toEqual(['dep-opt']);
    expect(h.sink.stateNames().at(-1)).toBe('succeeded');
  });

  it('postpones a required run within its limit, cumulatively, and refuses beyond it', async () => {
    const h = await center();
    const postpone = (minutes: number) =>
      centerRequest(h.stateDir, { op: 'postpone', deploymentId: 'dep-req', minutes, user: 'bob' });
    const first = await postpone(90);
    expect(first).toMatchObject({ ok: true, postponedUntil: '2026-06-10T13:30:00.000Z' });
    const tooMuch = await postpone(31);
    expect(tooMuch).toMatchObject({ ok: false, code: 'POSTPONE_LIMIT' });
    expect(await postpone(30)).toMatchObject({
      ok: true,
      postponedUntil: '2026-06-10T14:00:00.000Z',
    });
    expect(h.sink.ids().filter((id) => id === 40114 || id === 11253)).toEqual([
      40114, 11253, 40114, 11253,
    ]);
    expect(h.sink.messages.find((m) => m.messageId === 40114)?.insertionStrings).toEqual([
      'Security fix',
      'bob',
      '2026-06-10T13:30:00.000Z',
    ]);
    // At the deadline nothing runs; at the end of the postponement it does.
    h.clock.set('2026-06-10T12:00:00Z');
    await h.service.tick();
    expect(h.executor.started).toEqual([]);
    h.clock.set('2026-06-10T14:00:00Z');
    await h.service.tick();
    await h.service.idle();
    expect(h.executor.started.map((r) => r.deploymentId)).toEqual(['dep-req']);
  });

  it('reschedules a required run to a chosen time within the limit (11252, 40703)', async () => {
    const h = await center();
    const at = async (time: string) => {
      const out = io({ SUDO_USER: 'dana' });
      const code = await runCli(
        ['center', 'reschedule', 'dep-req', '--at', time, '--json', '--state-dir', h.stateDir],
        out,
      );
      return { code, answer: JSON.parse(out.stdout) as Record<string, unknown> };
    };
    // The run is at 12:00; the limit is 120 minutes past it.
    expect(await at('2026-06-10T11:00:00Z')).toMatchObject({
      code: 1,
      answer: { ok: false, code: 'RESCHEDULE_TOO_EARLY' },
    });
    expect(await at('2026-06-10T14:01:00Z')).toMatchObject({
      code: 1,
      answer: { ok: false, code: 'POSTPONE_LIMIT' },
    });
    expect(await at('2026-06-10T13:15:00Z')).toMatchObject({
      code: 0,
      answer: { ok: true, postponedUntil: '2026-06-10T13:15:00.000Z' },
    });
    // The postponement room is what is left after the reschedule.
    const listed = await centerRequest(h.stateDir, { op: 'list' });
    expect(listed).toMatchObject({
      deployments: [
        {},
        {
          deploymentId: 'dep-req',
          postponedUntil: '2026-06-10T13:15:00.000Z',
          postponeRemainingMinutes: 45,
        },
      ],
    });
    expect(h.sink.messages.filter((m) => [11252, 11253, 40703].includes(m.messageId))).toEqual([
      expect.objectContaining({
        messageId: 40703,
        insertionStrings: ['Security fix', 'dana', '2026-06-10T13:15:00.000Z'],
      }),
      expect.objectContaining({
        messageId: 11252,
        insertionStrings: ['Security fix', '2026-06-10T13:15:00.000Z'],
      }),
    ]);
    h.clock.set('2026-06-10T13:14:00Z');
    await h.service.tick();
    expect(h.executor.started).toEqual([]);
    h.clock.set('2026-06-10T13:15:00Z');
    await h.service.tick();
    await h.service.idle();
    expect(h.executor.started.map((r) => r.deploymentId)).toEqual(['dep-req']);
  });

  it('refuses what cannot be done with a clear code', async () => {
    const h = await center();
    const refusal = async (args: string[]) => {
      const out = io({ SUDO_USER: 'carol' });
      const code = await runCli([...args, '--state-dir', h.stateDir], out);
      return { code, stderr: out.stderr.split(':')[0] };
    };
    expect(await refusal(['center', 'postpone', 'dep-opt', '--minutes', '5'])).toEqual({
      code: 1,
      stderr: 'error NOT_REQUIRED',
    });
    expect(await refusal(['center', 'install', 'dep-old'])).toEqual({
      code: 1,
      stderr: 'error EXPIRED',
    });
    expect(await refusal(['center', 'install', 'nope'])).toEqual({
      code: 1,
      stderr: 'error NOT_FOUND',
    });
    expect(await refusal(['center', 'postpone', 'dep-req'])).toEqual({
      code: 2,
      stderr: 'error USAGE',
    });
  });

  it('validates every request line and answers bad ones without acting', async () => {
    const h = await center();
    const raw = (line: string) =>
      new Promise<string>((resolve) => {
        const socket = createConnection(centerSocketPath(h.stateDir));
        socket.setEncoding('utf8');
        socket.on('connect', () => socket.write(line + '\n'));
        socket.on('data', (d: string) => {
          socket.destroy();
          resolve(d.trim());
        });
      });
    expect(JSON.parse(await raw('not json'))).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(
      JSON.parse(await raw(JSON.stringify({ op: 'install', deploymentId: 'dep-opt' }))),
    ).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(
      JSON.parse(
        await raw(
          JSON.stringify({ op: 'postpone', deploymentId: 'dep-req', minutes: 0, user: 'x' }),
        ),
      ),
    ).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(h.sink.messages).toEqual([]);
  });

  it('prints a table, and says clearly when the agent service is not running', async () => {
    const h = await center();
    const out = io();
    expect(await runCli(['center', '--state-dir', h.stateDir], out)).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+TYPE\s+STATE\s+NEXT RUN\s+LAST RESULT\s+POSTPONE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['dep-opt', 'dep-req']);
    expect(lines[2]).toMatch(/required\s+scheduled\s+.*\s+-\s+120\/120 min$/);
    await h.service.stop();
    const down = io();
    expect(await runCli(['center', 'list', '--state-dir', h.stateDir], down)).toBe(1);
    expect(down.stderr).toMatch(/^error AGENT_NOT_RUNNING: the agent service is not running/);
  });
});

describe('desktop notifications', () => {
  function fakeBin(): { dir: string; calls: string } {
    const dir = mkdtempSync(join(tmpdir(), 'steward-bin-'));
    const calls = join(dir, 'calls');
    writeFileSync(
      join(dir, 'notify-send'),
      `#!/bin/sh\nprintf '%s|' "$@" >> ${calls}\necho >> ${calls}\n`,
    );
    // No logind session here: the agent's own display is the session.
    writeFileSync(join(dir, 'loginctl'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'notify-send'), 0o755);
    chmodSync(join(dir, 'loginctl'), 0o755);
    return { dir, calls };
  }
  const lines: string[] = [];
  const log: Logger = {
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    error: (m) => lines.push(m),
  };

  it('runs the notify-send found first in PATH for the graphical session', async () => {
    const bin = fakeBin();
    const notifier = new DesktopNotifier(log, {
      PATH: `${bin.dir}:${process.env.PATH ?? ''}`,
      DISPLAY: ':99',
    });
    await notifier.notify('New software available', 'Editor can be installed');
    expect(readFileSync(bin.calls, 'utf8')).toBe(
      '--app-name=Steward|New software available|Editor can be installed|\n',
    );
  });

  it('without notify-send it says so once in the log and does nothing else', async () => {
    const bin = fakeBin();
    const empty = mkdtempSync(join(tmpdir(), 'steward-empty-'));
    lines.length = 0;
    const notifier = new DesktopNotifier(log, { PATH: empty, DISPLAY: ':99' });
    await notifier.notify('a', 'b');
    await notifier.notify('c', 'd');
    expect(lines).toEqual(['notify-send not found: no desktop notifications']);
    expect(() => readFileSync(bin.calls)).toThrow();
  });
});
