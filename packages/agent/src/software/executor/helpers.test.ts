import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLoginctlSessions, parseProperties, parseWho } from './logged-on-user.js';
import { readOutputTail, utf8Tail } from './output-tail.js';
import { parseProcStat } from './process-group.js';
import { classify } from './run-outcome.js';

describe('logged-on user detection', () => {
  it('parses loginctl and who output', () => {
    expect(
      parseLoginctlSessions(
        '     2 1000 alice seat0 tty2\n    c1  120 gdm   seat0 tty1\n 5 0 root\n',
      ),
    ).toEqual([
      { id: '2', uid: 1000, user: 'alice' },
      { id: 'c1', uid: 120, user: 'gdm' },
      { id: '5', uid: 0, user: 'root' },
    ]);
    expect(parseProperties('Type=wayland\nState=active\nClass=user\n')).toEqual({
      Type: 'wayland',
      State: 'active',
      Class: 'user',
    });
    expect(
      parseWho(
        'root     pts/0        2026-11-22 10:00 (10.0.0.1)\nbob      tty7  2026-11-22 09:00 (:0)\n',
      ),
    ).toBe('bob');
    expect(parseWho('root pts/0 2026-11-22 10:00\n')).toBeUndefined();
  });
});

describe('output tail', () => {
  it('never starts with half a character', () => {
    const text = 'é'.repeat(10); // 2 bytes each
    const buf = Buffer.from(text);
    expect(utf8Tail(buf.subarray(3), true)).toBe('é'.repeat(8));
    expect(utf8Tail(buf.subarray(4), true)).toBe('é'.repeat(8));
  });

  it('keeps the last 4 KiB of a long file and all of a short one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-tail-'));
    writeFileSync(join(dir, 'long'), 'x'.repeat(10_000) + 'END');
    writeFileSync(join(dir, 'short'), 'hello\n');
    const tail = await readOutputTail(join(dir, 'long'));
    expect(tail).toHaveLength(4096);
    expect(tail.endsWith('END')).toBe(true);
    expect(await readOutputTail(join(dir, 'short'))).toBe('hello\n');
    expect(await readOutputTail(join(dir, 'missing'))).toBe('');
  });
});

describe('process and outcome helpers', () => {
  it('reads state and process group from /proc/<pid>/stat, odd command names included', () => {
    expect(parseProcStat('123 (my (odd) prog) S 1 456 456 0 -1')).toEqual({
      state: 'S',
      pgrp: 456,
    });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('classifies exit codes; a stop or missing exit status fails the run', () => {
    const codes = { successExitCodes: [0, 1], rebootExitCodes: [1, 194] };
    expect(classify(codes, 0, undefined)).toEqual({ result: 'succeeded' });
    expect(classify(codes, 1, undefined)).toEqual({ result: 'succeeded' });
    expect(classify(codes, 194, undefined)).toEqual({ result: 'reboot-pending' });
    expect(classify(codes, 2, undefined)).toMatchObject({
      result: 'failed',
      reasonCode: 'EXIT_CODE',
    });
    expect(classify(codes, null, undefined)).toMatchObject({ reasonCode: 'INTERRUPTED' });
    expect(classify(codes, 0, { reasonCode: 'TIMED_OUT', reason: 'x' })).toEqual({
      result: 'failed',
      reasonCode: 'TIMED_OUT',
      reason: 'x',
    });
  });
});
