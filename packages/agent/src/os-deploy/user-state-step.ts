import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { StepOf } from '@steward/protocol';
import { failed, type StepContext, type StepResult, SUCCEEDED } from '../task-sequence/executor.js';
import { runProgram } from '../task-sequence/run-program.js';
import { TAR_KEEP } from './apply-image-step.js';
import { sourceRoot } from './capture-step.js';
import type { BootEnvHost } from './host.js';
import { mountOnce, mountTarget, must, stepOf, unmountTarget } from './target.js';

/** Where a local store keeps a capture: saved across restarts, read by the restore step. */
export const STATE_STORE_VAR = 'OSDStateStorePath';
/** Account files whose user entries (UID/GID 1000-59999) are carried over. */
const ACCOUNT_FILES = ['etc/passwd', 'etc/group', 'etc/shadow', 'etc/gshadow'] as const;
const ARCHIVE = 'user-state.tar.zst';
/** The saved account lines, by account file. */
const SavedAccounts = Type.Record(Type.String(), Type.Array(Type.String()));
const ACCOUNTS = 'accounts.json';

function notBuilt(store: string): StepResult {
  return failed(
    store === 'state-migration-point'
      ? 'the state migration point is not built yet: use store "local"'
      : 'hard-link state needs an apply that keeps the disk, which is not built yet: use store "local"',
  );
}

/** The user lines of an account file (passwd/group: id in field 3; shadow files: by name). */
function userLines(files: Record<string, string>): Record<string, string[]> {
  const users = new Set<string>();
  const groups = new Set<string>();
  const pick = (text: string, keep: (f: string[]) => boolean) =>
    text.split('\n').filter((l) => l.trim() !== '' && keep(l.split(':')));
  const local = (id: string | undefined) => Number(id) >= 1000 && Number(id) < 60000;
  const out: Record<string, string[]> = {};
  out['etc/passwd'] = pick(files['etc/passwd'] ?? '', (f) => local(f[2]));
  for (const l of out['etc/passwd']) users.add(l.split(':')[0] ?? '');
  out['etc/group'] = pick(files['etc/group'] ?? '', (f) => local(f[2]));
  for (const l of out['etc/group']) groups.add(l.split(':')[0] ?? '');
  out['etc/shadow'] = pick(files['etc/shadow'] ?? '', (f) => users.has(f[0] ?? ''));
  out['etc/gshadow'] = pick(files['etc/gshadow'] ?? '', (f) => groups.has(f[0] ?? ''));
  return out;
}

/**
 * Capture user state (refresh and replace): mounts the installed system read-only and archives
 * the chosen paths (home directories by default) with owners, modes, ACLs and xattrs, and keeps
 * its local users and groups (UID/GID 1000-59999 with their shadow entries) beside the archive,
 * in the store: `local` is the boot environment's state folder (off the disk the sequence
 * wipes), named in OSDStateStorePath for the restore step.
 */
export function captureUserState(
  step: StepOf<'capture-user-state'>,
  ctx: StepContext,
  host: BootEnvHost,
): Promise<StepResult> {
  return stepOf(async () => {
    if (step.settings.store !== 'local') return notBuilt(step.settings.store);
    const store = ctx.variables[STATE_STORE_VAR] ?? join(host.workDir ?? tmpdir(), 'user-state');
    const work = await mkdtemp(join(host.workDir ?? tmpdir(), 'user-state-'));
    const view = join(work, 'view');
    let mounted = false;
    try {
      await unmountTarget(host.targetDir);
      const dev = await sourceRoot(ctx, host, join(work, 'probe'));
      await mountOnce(dev, view, ctx, ['-o', 'ro']);
      mounted = true;
      const paths = (step.settings.paths ?? ['/home'])
        .map((p) => `.${p.replace(/\/+$/, '')}`)
        .filter((p) => existsSync(join(view, p)));
      await rm(store, { recursive: true, force: true });
      await mkdir(store, { recursive: true, mode: 0o700 });
      const files: Record<string, string> = {};
      for (const f of ACCOUNT_FILES)
        files[f] = await readFile(join(view, f), 'utf8').catch(() => '');
      const accounts = userLines(files);
      await writeFile(join(store, ACCOUNTS), JSON.stringify(accounts), { mode: 0o600 });
      await must(
        'archive the user state',
        'tar',
        ['--zstd', '-cpf', join(store, ARCHIVE), '-C', view, ...TAR_KEEP, '--', ...paths],
        ctx,
      );
      ctx.setVariable(STATE_STORE_VAR, store);
      const users = (accounts['etc/passwd'] ?? []).map((l) => l.split(':')[0]).join(' ');
      return {
        ...SUCCEEDED,
        outputTail: `captured ${paths.join(' ') || '(no paths)'} and users ${users || '(none)'} from ${dev} to ${store}`,
      };
    } finally {
      if (mounted) await runProgram('umount', [view], { signal: new AbortController().signal });
      await rm(work, { recursive: true, force: true });
    }
  });
}

/**
 * Restore user state: extracts the captured paths into the new system (mounted at the target)
 * and adds the captured users and groups its account files lack (an account the new system
 * already has is kept as it is).
 */
export function restoreUserState(
  step: StepOf<'restore-user-state'>,
  ctx: StepContext,
  host: BootEnvHost,
): Promise<StepResult> {
  return stepOf(async () => {
    if (step.settings.store !== 'local') return notBuilt(step.settings.store);
    const store = ctx.variables[STATE_STORE_VAR];
    if (!store || !existsSync(join(store, ARCHIVE)))
      return failed('no captured user state: run a Capture user state step first');
    await mountTarget(host.targetDir, ctx);
    await must(
      'extract the user state',
      'tar',
      ['--zstd', '-xpf', join(store, ARCHIVE), '-C', host.targetDir, ...TAR_KEEP],
      ctx,
    );
    const accounts: unknown = JSON.parse(await readFile(join(store, ACCOUNTS), 'utf8'));
    if (!Value.Check(SavedAccounts, accounts))
      return failed(`${join(store, ACCOUNTS)} is not a saved account list`);
    const added: string[] = [];
    for (const f of ACCOUNT_FILES) {
      const path = join(host.targetDir, f);
      const text = await readFile(path, 'utf8').catch(() => '');
      const have = new Set(text.split('\n').map((l) => l.split(':')[0]));
      const missing = (accounts[f] ?? []).filter((l) => !have.has(l.split(':')[0]));
      if (missing.length === 0) continue;
      const sep = text === '' || text.endsWith('\n') ? '' : '\n';
      await writeFile(path, `${text}${sep}${missing.join('\n')}\n`);
      if (f === 'etc/passwd') added.push(...missing.map((l) => l.split(':')[0] ?? ''));
    }
    return {
      ...SUCCEEDED,
      outputTail: `restored the user state of ${store}; users added: ${added.join(' ') || '(none)'}`,
    };
  });
}
