import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { StepContext } from '../task-sequence/executor.js';
import type { BootEnvHost } from './host.js';
import { must, refuse } from './target.js';
import {
  bundleStore,
  captureToStore,
  decryptFile,
  downloadFromPoint,
  encryptFile,
  restoreAccounts,
  restoreFromStore,
  saveAccounts,
  unbundleStore,
  uploadToPoint,
} from './user-state-store.js';

type Ctx = Pick<StepContext, 'signal'>;

function pointOf(host: BootEnvHost): NonNullable<BootEnvHost['userState']> {
  if (!host.userState)
    refuse(
      "this run has no state migration point access (the site's answer carried no user-state grant)",
    );
  return host.userState;
}

/**
 * Capture to a state migration point (ADR 0096): the paths and accounts of the system at `root`
 * archived, bundled and encrypted with the record's key in `work`, uploaded to the point the
 * site chose, and the record marked captured. Only ciphertext leaves the machine.
 */
export async function captureToPoint(
  root: string,
  paths: string[],
  host: BootEnvHost,
  ctx: Ctx,
  work: string,
): Promise<string> {
  const point = pointOf(host);
  const store = join(work, 'store');
  const users = await captureToStore(root, paths, store, ctx);
  const bundle = join(work, 'bundle.tar');
  const sealed = join(work, 'bundle.sealed');
  try {
    await bundleStore(store, bundle, ctx);
    await rm(store, { recursive: true, force: true });
    const t = await point.capture(ctx.signal);
    await encryptFile(bundle, sealed, t.key);
    await rm(bundle, { force: true });
    const stored = await uploadToPoint(point.agent, t, sealed, ctx.signal);
    await point.captured(t.recordId, stored, ctx.signal);
    return `captured ${paths.join(' ') || '(no paths)'} and users ${users.join(' ') || '(none)'} as user-state record ${t.recordId} on state migration point ${t.dpId} (${String(stored.sizeBytes)} bytes encrypted)`;
  } finally {
    await rm(bundle, { force: true });
    await rm(sealed, { force: true });
    await rm(store, { recursive: true, force: true });
  }
}

/**
 * Restore from a state migration point: the newest record captured for this computer (its own,
 * or an associated source's), downloaded, decrypted with its key, extracted into `root`.
 */
export async function restoreFromPoint(
  root: string,
  host: BootEnvHost,
  ctx: Ctx,
  work: string,
): Promise<string> {
  const point = pointOf(host);
  const t = await point.restore(ctx.signal);
  const sealed = join(work, 'bundle.sealed');
  const bundle = join(work, 'bundle.tar');
  const store = join(work, 'store');
  try {
    await downloadFromPoint(point.agent, t, sealed, ctx.signal);
    await decryptFile(sealed, bundle, t.key);
    await unbundleStore(bundle, store, ctx);
    const added = await restoreFromStore(store, root, ctx);
    await point.restored(t.recordId, ctx.signal);
    return `restored user-state record ${t.recordId}; users added: ${added.join(' ') || '(none)'}`;
  } finally {
    await rm(bundle, { force: true });
    await rm(sealed, { force: true });
    await rm(store, { recursive: true, force: true });
  }
}

// ---- hard-link state (refresh, kept in place) ----

/** The state folder of a hard-link capture, on the captured file system itself. */
export const HARD_LINK_STATE_DIR = '.steward-user-state';
const PATHS = 'paths.json';
const SavedPaths = Type.Array(Type.String({ pattern: '^\\./' }));

/**
 * Hard-link capture: each path linked (cp -al: every file a second name of the same inode, so
 * nothing is copied and owners, modes and times are the file's own) into a state folder on the
 * same file system, with the local accounts beside them.
 */
export async function captureHardLinks(root: string, paths: string[], ctx: Ctx): Promise<string> {
  const state = join(root, HARD_LINK_STATE_DIR);
  await rm(state, { recursive: true, force: true });
  await mkdir(join(state, 'files'), { recursive: true, mode: 0o700 });
  const users = await saveAccounts(root, state);
  for (const p of paths) {
    await mkdir(dirname(join(state, 'files', p)), { recursive: true });
    await must('link the user state', 'cp', ['-al', join(root, p), join(state, 'files', p)], ctx);
  }
  await writeFile(join(state, PATHS), JSON.stringify(paths), { mode: 0o600 });
  return `linked ${paths.join(' ') || '(no paths)'} and users ${users.join(' ') || '(none)'} into ${state}`;
}

/** Hard-link restore: the paths linked back into place, the accounts added, the folder removed. */
export async function restoreHardLinks(root: string, ctx: Ctx): Promise<string> {
  const state = join(root, HARD_LINK_STATE_DIR);
  const saved: unknown = JSON.parse(
    await readFile(join(state, PATHS), 'utf8').catch(() =>
      refuse(
        `no hard-link user state in ${state}: run a Capture user state step (hard-links) first`,
      ),
    ),
  );
  if (!Value.Check(SavedPaths, saved)) refuse(`${join(state, PATHS)} is not a saved path list`);
  for (const p of saved) {
    await mkdir(join(root, p), { recursive: true });
    await must(
      'link the user state back',
      'cp',
      ['-al', '--remove-destination', `${join(state, 'files', p)}/.`, join(root, p)],
      ctx,
    );
  }
  const added = await restoreAccounts(state, root);
  await rm(state, { recursive: true, force: true });
  return `linked back ${saved.join(' ') || '(no paths)'}; users added: ${added.join(' ') || '(none)'}`;
}
