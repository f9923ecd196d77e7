import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StatusMessageBody, StepOf, UpgradeSpec } from '@steward/protocol';
import { writeFileAtomic } from '../state/atomic-file.js';
import {
  type ExecutorRegistry,
  failed,
  type StepContext,
  type StepResult,
  SUCCEEDED,
} from './executor.js';
import { type RunResult, runProgram } from './run-program.js';
import { upgradeOs } from './upgrade-os.js';
import { expandVariables } from './variables.js';

/** Runs a shell command line in its own process group, keeping the tail of its output. */
export function runShell(
  command: string,
  opts: { cwd?: string; env: Record<string, string>; signal: AbortSignal },
): Promise<RunResult> {
  return runProgram('/bin/sh', ['-c', command], opts);
}

function environmentOf(ctx: StepContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, ...ctx.variables };
}

async function runCommand(step: StepOf<'run-command'>, ctx: StepContext): Promise<StepResult> {
  const s = step.settings;
  const run = await runShell(expandVariables(s.command, ctx.variables), {
    cwd:
      s.workingDirectory === undefined
        ? undefined
        : expandVariables(s.workingDirectory, ctx.variables),
    env: environmentOf(ctx),
    signal: ctx.signal,
  });
  const ok = (s.successExitCodes ?? [0]).includes(run.exitCode) && !ctx.signal.aborted;
  return {
    ok,
    exitCode: run.exitCode,
    reason: ok ? null : (run.error ?? `exit code ${String(run.exitCode)}`),
    outputTail: run.outputTail,
  };
}

/**
 * Network settings in the full OS: only the host name, written to `<root>/etc/hostname` and
 * `<root>/etc/hosts` (the boot environment passes the applied image's root). Interfaces are not
 * rewritten here: a wrong change would cut the machine off its site mid-sequence.
 */
export async function applyNetwork(
  step: StepOf<'apply-network-settings'>,
  ctx: StepContext,
  root: string,
): Promise<StepResult> {
  const { hostname, dnsDomain } = step.settings;
  if (hostname === undefined) return SUCCEEDED;
  const name = expandVariables(hostname, ctx.variables);
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})$/.test(name))
    return failed(`"${name}" is not a valid host name`);
  const fqdn = dnsDomain ? `${name}.${expandVariables(dnsDomain, ctx.variables)}` : name;
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFileAtomic(join(root, 'etc/hostname'), `${name}\n`, { mode: 0o644 });
  const hostsPath = join(root, 'etc/hosts');
  const hosts = await readFile(hostsPath, 'utf8').catch(() => '127.0.0.1\tlocalhost\n');
  const kept = hosts.split('\n').filter((l) => l !== '' && !l.startsWith('127.0.1.1'));
  await writeFileAtomic(hostsPath, [...kept, `127.0.1.1\t${fqdn} ${name}`, ''].join('\n'), {
    mode: 0o644,
  });
  return SUCCEEDED;
}

/** What the full OS hands the engine: how to install a program, where its root is. */
export interface FullOsHost {
  /** Runs one program of the content library (the agent's software executor). */
  installProgram?: (programId: string, signal: AbortSignal) => Promise<StepResult>;
  /** The root file system network settings are written to; '/' in the full OS. */
  root?: string;
  /** The upgrade packages the sequence names (ADR 0102: they come with the deployment). */
  upgradePackage?: (id: string) => UpgradeSpec | undefined;
  /** Raises a step's own status messages (an upgrade's phases and report). */
  report?: (message: StatusMessageBody) => Promise<void> | void;
  /** Puts the boot image on the local disk before a restart into it (ADR 0105). */
  stageBootImage?: () => Promise<string>;
}

/** The step kinds the full OS runs; the disk and image kinds are left to the boot environment. */
export function fullOsExecutors(host: FullOsHost): ExecutorRegistry {
  return {
    'run-command': (step, ctx) => runCommand(step, ctx),
    'set-variable': (step, ctx) => {
      const { name, value } = step.settings;
      ctx.setVariable(name, expandVariables(value, ctx.variables));
      return Promise.resolve(SUCCEEDED);
    },
    'restart-computer': async (step) => {
      // Without a stager (the boot environment, a local run) the host's reboot decides.
      if (step.settings.into === 'full-os' || !host.stageBootImage)
        return { ...SUCCEEDED, restart: step.settings.into };
      // The download fails the step (the run stays on this system); the reboot follows the save.
      try {
        const staged = await host.stageBootImage();
        return { ...SUCCEEDED, outputTail: staged, restart: 'boot-image' };
      } catch (err) {
        return failed(err instanceof Error ? err.message : String(err));
      }
    },
    'apply-network-settings': (step, ctx) => applyNetwork(step, ctx, host.root ?? '/'),
    'install-software': async (step, ctx) => {
      const install = host.installProgram;
      if (!install) return failed('this environment has no software installer');
      for (const id of step.settings.programIds) {
        const result = await install(id, ctx.signal);
        if (!result.ok) return { ...result, reason: `program ${id}: ${result.reason ?? 'failed'}` };
      }
      return SUCCEEDED;
    },
    'upgrade-os': async (step, ctx) => {
      const id = step.settings.upgradePackageId;
      const spec = host.upgradePackage?.(id);
      if (!spec) return failed(`upgrade package ${id} did not come with this sequence`);
      const report = host.report ?? (() => undefined);
      const { result } = await upgradeOs({
        spec,
        root: host.root ?? '/',
        signal: ctx.signal,
        emit: (m) => report({ ...m, attributes: { ...m.attributes, stepId: step.id } }),
      });
      return result;
    },
  };
}
