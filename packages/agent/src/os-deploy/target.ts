import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { failed, type StepContext, type StepResult } from '../task-sequence/executor.js';
import { type RunResult, runProgram } from '../task-sequence/run-program.js';
import { OSD_VARS } from './host.js';

/** A failed program as a step result, or undefined when it succeeded. */
export function failure(what: string, run: RunResult): StepResult | undefined {
  if (run.exitCode === 0) return undefined;
  return failed(
    `${what}: ${run.error ?? `exit code ${String(run.exitCode)}`}`,
    run.exitCode,
    run.outputTail,
  );
}

/** Runs a program; throws a step failure (caught by `stepOf`) when it does not succeed. */
export async function must(
  what: string,
  file: string,
  args: readonly string[],
  ctx: Pick<StepContext, 'signal'>,
  input?: string,
): Promise<string> {
  const run = await runProgram(file, args, {
    signal: ctx.signal,
    ...(input === undefined ? {} : { input }),
  });
  const bad = failure(what, run);
  if (bad) throw new StepFailure(bad);
  return run.outputTail;
}

/** A step's failure thrown from deep inside it, with its exit code and output. */
export class StepFailure extends Error {
  constructor(readonly result: StepResult) {
    super(result.reason ?? 'failed');
  }
}

/** Wraps a step body: a thrown `StepFailure` becomes its result. */
export async function stepOf(work: () => Promise<StepResult>): Promise<StepResult> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StepFailure) return err.result;
    throw err;
  }
}

export function refuse(reason: string): never {
  throw new StepFailure(failed(reason));
}

/** Mount points of this process's namespace, from /proc/self/mountinfo. */
export async function mountPoints(): Promise<Set<string>> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  // Field 5 is the mount point, with spaces and the like octal-escaped.
  return new Set(
    text
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m): m is string => m !== undefined)
      .map((m) => m.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))),
  );
}

export async function mountOnce(
  device: string,
  dir: string,
  ctx: Pick<StepContext, 'signal'>,
  options: string[] = [],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  if ((await mountPoints()).has(dir)) return;
  await must(`mount ${device} on ${dir}`, 'mount', [...options, device, dir], ctx);
}

/**
 * Mounts the new system's root at the target folder when a step needs it: after a restart
 * between steps nothing is mounted any more, and the partitions are known only from the
 * variables the partition step set. The ESP is mounted only for the boot loader (`esp`): no
 * other step writes to it, and the root's /boot/efi is where it goes.
 */
export async function mountTarget(
  targetDir: string,
  ctx: StepContext,
  opts: { esp?: boolean } = {},
): Promise<void> {
  const root = ctx.variables[OSD_VARS.rootPartition];
  if (!root) refuse('no target partitions: run a Partition disk step first');
  await mountOnce(root, targetDir, ctx);
  const esp = ctx.variables[OSD_VARS.espPartition];
  if (esp) {
    await mkdir(join(targetDir, 'boot/efi'), { recursive: true });
    if (opts.esp === true) await mountOnce(esp, join(targetDir, 'boot/efi'), ctx);
  }
}

/** File systems a chroot into the target needs (GRUB, dpkg): bound now, unbound by the caller. */
export async function bindForChroot(
  targetDir: string,
  ctx: StepContext,
): Promise<() => Promise<void>> {
  const bound: string[] = [];
  for (const fs of ['/dev', '/proc', '/sys', '/run']) {
    const dir = join(targetDir, fs);
    await mountOnce(fs, dir, ctx, ['--rbind', '--make-rslave']);
    bound.push(dir);
  }
  return async () => {
    for (const dir of bound.reverse()) {
      await runProgram('umount', ['-R', dir], { signal: new AbortController().signal });
    }
  };
}

/** Unmounts the target (and everything under it); used after the last disk step. */
export async function unmountTarget(targetDir: string): Promise<void> {
  if (!(await mountPoints()).has(targetDir)) return;
  await runProgram('umount', ['-R', targetDir], { signal: new AbortController().signal });
}
