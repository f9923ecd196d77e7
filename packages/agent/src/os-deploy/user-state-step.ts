import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepOf } from '@steward/protocol';
import { type StepContext, type StepResult, SUCCEEDED } from '../task-sequence/executor.js';
import { runProgram } from '../task-sequence/run-program.js';
import { sourceRoot } from './capture-step.js';
import type { BootEnvHost } from './host.js';
import { mountOnce, mountTarget, stepOf, unmountTarget } from './target.js';
import { captureToStore, presentPaths, restoreFromStore } from './user-state-store.js';
import {
  captureHardLinks,
  captureToPoint,
  restoreFromPoint,
  restoreHardLinks,
} from './user-state-transfer.js';

/** Where a local store keeps a capture: saved across restarts, read by the restore step. */
export const STATE_STORE_VAR = 'OSDStateStorePath';

/**
 * Capture user state (refresh and replace): mounts the installed system (read-only, except for
 * hard links, which live on it) and captures the chosen paths (home directories by default)
 * with owners, modes, ACLs and xattrs, and its local users and groups (UID/GID 1000-59999 with
 * their shadow entries), to the store: `local` is the boot environment's state folder (off the
 * disk the sequence wipes), named in OSDStateStorePath for the restore step;
 * `state-migration-point` uploads it encrypted to the point the site chooses (ADR 0096);
 * `hard-links` links the files into a state folder on the same file system.
 */
export function captureUserState(
  step: StepOf<'capture-user-state'>,
  ctx: StepContext,
  host: BootEnvHost,
): Promise<StepResult> {
  return stepOf(async () => {
    const { store: kind } = step.settings;
    const work = await mkdtemp(join(host.workDir ?? tmpdir(), 'user-state-'));
    const view = join(work, 'view');
    let mounted = false;
    try {
      await unmountTarget(host.targetDir);
      const dev = await sourceRoot(ctx, host, join(work, 'probe'));
      await mountOnce(dev, view, ctx, kind === 'hard-links' ? [] : ['-o', 'ro']);
      mounted = true;
      const paths = presentPaths(view, step.settings.paths);
      let outputTail: string;
      switch (kind) {
        case 'local': {
          const store =
            ctx.variables[STATE_STORE_VAR] ?? join(host.workDir ?? tmpdir(), 'user-state');
          const users = await captureToStore(view, paths, store, ctx);
          ctx.setVariable(STATE_STORE_VAR, store);
          outputTail = `captured ${paths.join(' ') || '(no paths)'} and users ${users.join(' ') || '(none)'} from ${dev} to ${store}`;
          break;
        }
        case 'state-migration-point':
          outputTail = `${await captureToPoint(view, paths, host, ctx, work)} from ${dev}`;
          break;
        case 'hard-links':
          outputTail = `${await captureHardLinks(view, paths, ctx)} on ${dev}`;
          break;
      }
      return { ...SUCCEEDED, outputTail };
    } finally {
      if (mounted) await runProgram('umount', [view], { signal: new AbortController().signal });
      await rm(work, { recursive: true, force: true });
    }
  });
}

/**
 * Restore user state: extracts (or links back) the captured paths into the new system mounted
 * at the target and adds the captured users and groups its account files lack (an account the
 * new system already has is kept as it is).
 */
export function restoreUserState(
  step: StepOf<'restore-user-state'>,
  ctx: StepContext,
  host: BootEnvHost,
): Promise<StepResult> {
  return stepOf(async () => {
    await mountTarget(host.targetDir, ctx);
    switch (step.settings.store) {
      case 'local': {
        const store =
          ctx.variables[STATE_STORE_VAR] ?? join(host.workDir ?? tmpdir(), 'user-state');
        const added = await restoreFromStore(store, host.targetDir, ctx);
        return {
          ...SUCCEEDED,
          outputTail: `restored the user state of ${store}; users added: ${added.join(' ') || '(none)'}`,
        };
      }
      case 'state-migration-point': {
        const work = await mkdtemp(join(host.workDir ?? tmpdir(), 'user-state-'));
        try {
          return {
            ...SUCCEEDED,
            outputTail: await restoreFromPoint(host.targetDir, host, ctx, work),
          };
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      }
      case 'hard-links':
        return { ...SUCCEEDED, outputTail: await restoreHardLinks(host.targetDir, ctx) };
    }
  });
}
