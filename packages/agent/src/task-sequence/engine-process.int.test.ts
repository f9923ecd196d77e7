/**
 * The task-sequence engine as real `steward-agent` processes (ADR 0069): a sequence with a
 * restart step runs until the restart (a harmless reboot command that leaves a mark), the
 * process exits with 75, and a new process resumes at the next step, as after a reboot; every
 * step printed its status message.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnableSequence, sequenceItems } from '@steward/protocol';
import { STEWARD_AGENT as AGENT, exec } from '../../../../test-support/site.js';

const base = { enabled: true, continueOnError: false };

describe('task-sequence engine processes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ts-process-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts in the middle and a new process resumes at the next step', async () => {
    const log = join(dir, 'log');
    const rebooted = join(dir, 'rebooted');
    const seq: RunnableSequence = {
      sequenceId: 'ts-proc',
      name: 'Process test',
      version: 3,
      variables: { Role: 'web' },
      steps: sequenceItems([
        {
          type: 'step',
          kind: 'set-variable',
          id: 'set',
          name: 'Set tier',
          ...base,
          settings: { name: 'Tier', value: '%Role%-front' },
        },
        {
          type: 'step',
          kind: 'run-command',
          id: 'one',
          name: 'Before',
          ...base,
          settings: { command: `echo "one $Tier" >> ${log}` },
        },
        {
          type: 'step',
          kind: 'restart-computer',
          id: 'reboot',
          name: 'Restart',
          ...base,
          settings: { into: 'full-os' },
        },
        {
          type: 'step',
          kind: 'run-command',
          id: 'two',
          name: 'After',
          ...base,
          settings: { command: `echo "two %Tier%" >> ${log}` },
        },
      ]),
    };
    const file = join(dir, 'seq.json');
    writeFileSync(file, JSON.stringify(seq));
    const state = join(dir, 'state');
    const first = await exec(AGENT, [
      'task-sequence',
      'run',
      '--sequence',
      file,
      '--state-dir',
      state,
      '--reboot-command',
      `touch ${rebooted}`,
    ]);
    expect(first.code, first.stderr).toBe(75);
    expect(existsSync(rebooted)).toBe(true);
    expect(readFileSync(log, 'utf8')).toBe('one web-front\n');
    expect(first.stdout).toContain(
      'Task sequence "Process test": step 3 "Restart" restarts the computer; the sequence resumes at step 4 afterwards.',
    );
    const second = await exec(AGENT, ['task-sequence', 'resume', '--state-dir', state, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('one web-front\ntwo web-front\n');
    const events = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; message: { messageId: number } });
    expect(events.map((e) => [e.event, e.message.messageId])).toEqual([
      ['resumed', 40606],
      ['step-started', 40601],
      ['step-finished', 40602],
      ['finished', 40607],
    ]);
    const status = await exec(AGENT, ['task-sequence', 'status', '--state-dir', state, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      state: 'succeeded',
      stepNumber: 4,
      stepCount: 4,
    });
  });
});
