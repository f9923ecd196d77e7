import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConditionNode,
  type Group,
  type RunnableSequence,
  type SequenceNode,
  type Step,
  sequenceItems,
} from '@steward/protocol';
import { parseProcStat } from '../software/executor/process-group.js';
import { evaluateCondition, NO_FACTS } from './conditions.js';
import { type EngineEvent, type EngineOptions, resumeSequence, startSequence } from './engine.js';
import { fullOsExecutors } from './full-os-steps.js';
import { loadEngineState, saveEngineState } from './state.js';
import { expandVariables, layerVariables } from './variables.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ts-engine-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = { enabled: true, continueOnError: false };
function cmd(id: string, command: string, extra: Partial<Step> = {}): Step {
  return {
    type: 'step',
    kind: 'run-command',
    id,
    name: id,
    ...base,
    settings: { command },
    ...extra,
  } as Step;
}
function setVar(id: string, name: string, value: string): Step {
  return { type: 'step', kind: 'set-variable', id, name: id, ...base, settings: { name, value } };
}
function group(id: string, children: SequenceNode[], extra: Partial<Group> = {}): Group {
  return { type: 'group', id, name: id, ...base, children, ...extra };
}
function seq(steps: SequenceNode[], variables: Record<string, string> = {}): RunnableSequence {
  return { sequenceId: 'ts1', name: 'Test', version: 1, steps: sequenceItems(steps), variables };
}

function engine(extra: Partial<EngineOptions> = {}) {
  const events: EngineEvent[] = [];
  const reboots: string[] = [];
  const opts: EngineOptions = {
    stateDir: join(dir, 'state'),
    environment: 'full-os',
    executors: fullOsExecutors({ root: join(dir, 'root') }),
    onEvent: (e) => {
      events.push(e);
    },
    reboot: (into) => {
      reboots.push(into);
      return Promise.resolve();
    },
    ...extra,
  };
  return { opts, events, reboots };
}

const log = () => join(dir, 'log');
const lines = async () =>
  (await readFile(log(), 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('variables', () => {
  it('expands %NAME%, keeps unknown names and turns %% into %', () => {
    expect(expandVariables('a %X% b %Y% c %% d', { X: '1' })).toBe('a 1 b %Y% c % d');
  });
  it('layers defaults, collections, then the device; built-ins never come from a layer', () => {
    expect(
      layerVariables(
        { A: 'seq', B: 'seq', C: 'seq' },
        { B: 'coll', _STWCurrentStep: 'x' },
        { C: 'dev' },
      ),
    ).toEqual({ A: 'seq', B: 'coll', C: 'dev' });
  });
});

describe('conditions', () => {
  const facts = {
    inventory: { 'os.id': 'debian', 'os.version': '12.4' },
    hardware: { modalias: ['pci:v00008086d000010D3', 'usb:v1D6Bp0002'] },
  };
  const v = { Role: 'web', Empty: '' };
  const cases: [string, ConditionNode, boolean][] = [
    ['variable equals', { type: 'variable', name: 'Role', op: 'equals', value: 'web' }, true],
    [
      'variable equals another',
      { type: 'variable', name: 'Role', op: 'equals', value: 'db' },
      false,
    ],
    ['variable exists (empty value)', { type: 'variable', name: 'Empty', op: 'exists' }, true],
    ['variable missing', { type: 'variable', name: 'Nope', op: 'exists' }, false],
    [
      'not-equals of a missing variable',
      { type: 'variable', name: 'Nope', op: 'not-equals', value: 'x' },
      true,
    ],
    [
      'inventory fact',
      { type: 'fact', source: 'inventory', name: 'os.id', op: 'equals', value: 'debian' },
      true,
    ],
    [
      'version at least',
      { type: 'fact', source: 'inventory', name: 'os.version', op: 'at-least', value: '12.10' },
      false,
    ],
    [
      'hardware glob over a list',
      {
        type: 'fact',
        source: 'hardware',
        name: 'modalias',
        op: 'matches',
        value: 'pci:v00008086*',
      },
      true,
    ],
    [
      'all (and)',
      {
        type: 'block',
        match: 'all',
        tests: [
          { type: 'variable', name: 'Role', op: 'exists' },
          { type: 'variable', name: 'Nope', op: 'exists' },
        ],
      },
      false,
    ],
    [
      'any (or)',
      {
        type: 'block',
        match: 'any',
        tests: [
          { type: 'variable', name: 'Nope', op: 'exists' },
          { type: 'variable', name: 'Role', op: 'exists' },
        ],
      },
      true,
    ],
    [
      'none (not)',
      { type: 'block', match: 'none', tests: [{ type: 'variable', name: 'Nope', op: 'exists' }] },
      true,
    ],
    [
      'nested blocks',
      {
        type: 'block',
        match: 'all',
        tests: [
          { type: 'variable', name: 'Role', op: 'equals', value: 'web' },
          {
            type: 'block',
            match: 'none',
            tests: [
              { type: 'fact', source: 'inventory', name: 'os.id', op: 'equals', value: 'ubuntu' },
            ],
          },
        ],
      },
      true,
    ],
    ['value expanded', { type: 'variable', name: 'Role', op: 'equals', value: '%Role%' }, true],
  ];
  it.each(cases)('%s', (_, condition, expected) => {
    expect(evaluateCondition(condition, v, facts)).toBe(expected);
  });
  it('an unknown fact source entry is not set', () => {
    expect(
      evaluateCondition(
        { type: 'fact', source: 'hardware', name: 'x', op: 'exists' },
        {},
        NO_FACTS,
      ),
    ).toBe(false);
  });
});

describe('engine', () => {
  it('sets a variable, evaluates a condition on it, and runs commands with the variables', async () => {
    const e = engine();
    const outcome = await startSequence(
      seq(
        [
          setVar('set', 'Role', 'web-%Site%'),
          cmd('when-web', `echo "role=$Role step=%_STWCurrentStep%" >> ${log()}`, {
            condition: {
              type: 'block',
              match: 'all',
              tests: [{ type: 'variable', name: 'Role', op: 'equals', value: 'web-north' }],
            },
          }),
          cmd('when-db', `echo db >> ${log()}`, {
            condition: {
              type: 'block',
              match: 'all',
              tests: [{ type: 'variable', name: 'Role', op: 'equals', value: 'db' }],
            },
          }),
        ],
        { Site: 'north' },
      ),
      e.opts,
    );
    expect(outcome).toBe('succeeded');
    expect(await lines()).toEqual(['role=web-north step=when-web']);
    const state = await loadEngineState(e.opts.stateDir);
    expect(state?.progress.history.map((h) => [h.stepId, h.status])).toEqual([
      ['set', 'succeeded'],
      ['when-web', 'succeeded'],
      ['when-db', 'skipped'],
    ]);
    expect(e.events.map((x) => x.type)).toEqual([
      'started',
      'step-started',
      'step-finished',
      'step-started',
      'step-finished',
      'step-finished',
      'finished',
    ]);
  });

  it('saves its state at a restart step and resumes at the next step, not rerunning earlier ones', async () => {
    const steps = [
      cmd('before', `echo before >> ${log()}`),
      {
        type: 'step',
        kind: 'restart-computer',
        id: 'reboot',
        name: 'reboot',
        ...base,
        settings: { into: 'full-os' },
      } as Step,
      cmd('after', `echo "after $_STWLastExitCode" >> ${log()}`),
    ];
    const first = engine();
    expect(await startSequence(seq(steps), first.opts)).toBe('restarting');
    expect(first.reboots).toEqual(['full-os']);
    const saved = await loadEngineState(first.opts.stateDir);
    expect(saved?.position).toBe(2);
    expect(saved?.progress.state).toBe('restarting');
    expect(await lines()).toEqual(['before']);
    // A new engine (the agent after the reboot) with nothing but the state directory.
    const second = engine();
    expect(await resumeSequence(second.opts)).toBe('succeeded');
    expect(await lines()).toEqual(['before', 'after 0']);
    expect(second.events[0]?.type).toBe('resumed');
    // Starting the same sequence and version again does not run it twice.
    expect(await startSequence(seq(steps), engine().opts)).toBe('succeeded');
    expect(await lines()).toHaveLength(2);
  });

  it('runs again a step a crash interrupted (recorded as running)', async () => {
    const e = engine();
    await startSequence(
      seq([cmd('a', `echo a >> ${log()}`), cmd('b', `echo b >> ${log()}`)]),
      e.opts,
    );
    const state = await loadEngineState(e.opts.stateDir);
    if (!state) throw new Error('no state');
    // As if the process died during step b: its record says running, the position is on it.
    state.position = 1;
    state.progress.state = 'running';
    const b = state.progress.history.pop();
    if (!b) throw new Error('no record');
    state.progress.history.push({ ...b, status: 'running', finishedAt: null });
    await saveEngineState(e.opts.stateDir, state);
    expect(await resumeSequence(engine().opts)).toBe('succeeded');
    expect(await lines()).toEqual(['a', 'b', 'b']);
    const after = await loadEngineState(e.opts.stateDir);
    expect(after?.progress.history.map((h) => `${h.stepId}:${h.status}`)).toEqual([
      'a:succeeded',
      'b:succeeded',
    ]);
  });

  it('continues after a failing step with continue on error; fails at one without, running nothing after', async () => {
    const e = engine();
    const outcome = await startSequence(
      seq([
        cmd('forgiven', 'echo oops; exit 3', { continueOnError: true }),
        cmd('fatal', 'echo broken >&2; exit 4'),
        cmd('never', `echo never >> ${log()}`),
      ]),
      e.opts,
    );
    expect(outcome).toBe('failed');
    const h = (await loadEngineState(e.opts.stateDir))?.progress.history ?? [];
    expect(h.map((r) => [r.stepId, r.status, r.exitCode, r.continued])).toEqual([
      ['forgiven', 'failed', 3, true],
      ['fatal', 'failed', 4, false],
    ]);
    expect(h[1]?.outputTail).toBe('broken\n');
    expect(await lines()).toEqual([]);
  });

  it('handles groups: a false group condition skips its steps, a forgiving group ends at a failure', async () => {
    const e = engine();
    const outcome = await startSequence(
      seq([
        group('skipped', [cmd('s1', `echo s1 >> ${log()}`)], {
          condition: {
            type: 'block',
            match: 'all',
            tests: [{ type: 'variable', name: 'Missing', op: 'exists' }],
          },
        }),
        group(
          'forgiving',
          [
            group('inner', [cmd('fails', 'exit 1'), cmd('rest-of-inner', `echo no >> ${log()}`)]),
            cmd('rest-of-group', `echo no >> ${log()}`),
          ],
          { continueOnError: true },
        ),
        group('disabled', [cmd('d1', `echo d1 >> ${log()}`)], { enabled: false }),
        cmd('after', `echo after >> ${log()}`),
      ]),
      e.opts,
    );
    expect(outcome).toBe('succeeded');
    expect(await lines()).toEqual(['after']);
    const h = (await loadEngineState(e.opts.stateDir))?.progress.history ?? [];
    expect(h.map((r) => `${r.stepId}:${r.status}`)).toEqual([
      's1:skipped',
      'fails:failed',
      'd1:skipped',
      'after:succeeded',
    ]);
    expect(h[0]?.reason).toContain('condition of group "skipped"');
  });

  it('kills the whole process tree of a step that passes its timeout', async () => {
    const pidFile = join(dir, 'child.pid');
    const e = engine();
    const outcome = await startSequence(
      seq([cmd('slow', `sleep 300 & echo $! > ${pidFile}; wait`, { timeoutSeconds: 1 })]),
      e.opts,
    );
    expect(outcome).toBe('failed');
    const rec = (await loadEngineState(e.opts.stateDir))?.progress.history[0];
    expect(rec?.reason).toBe('timed out after 1 s');
    const pid = (await readFile(pidFile, 'utf8')).trim();
    let stat: string | undefined;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      stat = undefined;
    }
    // Gone, or a zombie nobody reaped yet: either way no longer running.
    expect(stat === undefined || parseProcStat(stat)?.state === 'Z').toBe(true);
  });

  it('refuses disk and image steps in the full OS with a clear reason', async () => {
    const e = engine();
    const outcome = await startSequence(
      seq([
        {
          type: 'step',
          kind: 'partition-disk',
          id: 'p',
          name: 'p',
          ...base,
          settings: { disk: 'first-fixed', layout: 'auto' },
        },
      ]),
      e.opts,
    );
    expect(outcome).toBe('failed');
    const rec = (await loadEngineState(e.opts.stateDir))?.progress.history[0];
    expect(rec?.reason).toContain('needs the boot environment');
  });

  it('writes the host name of a network settings step under its root', async () => {
    const e = engine();
    await startSequence(
      seq(
        [
          {
            type: 'step',
            kind: 'apply-network-settings',
            id: 'n',
            name: 'n',
            ...base,
            settings: { hostname: '%Name%', dnsDomain: 'example.org' },
          },
        ],
        { Name: 'pc42' },
      ),
      e.opts,
    );
    expect(await readFile(join(dir, 'root/etc/hostname'), 'utf8')).toBe('pc42\n');
    expect(await readFile(join(dir, 'root/etc/hosts'), 'utf8')).toContain(
      '127.0.1.1\tpc42.example.org pc42',
    );
  });
});
