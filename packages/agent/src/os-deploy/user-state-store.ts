import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request, type Agent } from 'node:https';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { agentOps, pathOf, type StoredUserState, type UserStateTransfer } from '@steward/protocol';
import type { StepContext } from '../task-sequence/executor.js';
import { TAR_KEEP } from './apply-image-step.js';
import { captureCall } from './site-host.js';
import { must, refuse } from './target.js';

/** Account files whose user entries (UID/GID 1000-59999) are carried over. */
export const ACCOUNT_FILES = ['etc/passwd', 'etc/group', 'etc/shadow', 'etc/gshadow'] as const;
export const ARCHIVE = 'user-state.tar.zst';
export const ACCOUNTS = 'accounts.json';
/** The saved account lines, by account file. */
const SavedAccounts = Type.Record(Type.String(), Type.Array(Type.String()));

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

/** The chosen paths (home directories by default) that exist under `root`, as `./path`. */
export function presentPaths(root: string, paths: readonly string[] | undefined): string[] {
  return (paths ?? ['/home'])
    .map((p) => `.${p.replace(/\/+$/, '')}`)
    .filter((p) => existsSync(join(root, p)));
}

/** Saves the local users and groups of the system at `root` in `store`; their names. */
export async function saveAccounts(root: string, store: string): Promise<string[]> {
  const files: Record<string, string> = {};
  for (const f of ACCOUNT_FILES) files[f] = await readFile(join(root, f), 'utf8').catch(() => '');
  const accounts = userLines(files);
  await writeFile(join(store, ACCOUNTS), JSON.stringify(accounts), { mode: 0o600 });
  return (accounts['etc/passwd'] ?? []).map((l) => l.split(':')[0] ?? '');
}

/**
 * Captures the system at `root` into a store folder: the paths archived with owners, modes,
 * ACLs and xattrs, and the local accounts beside the archive.
 */
export async function captureToStore(
  root: string,
  paths: string[],
  store: string,
  ctx: Pick<StepContext, 'signal'>,
): Promise<string[]> {
  await rm(store, { recursive: true, force: true });
  await mkdir(store, { recursive: true, mode: 0o700 });
  const users = await saveAccounts(root, store);
  await must(
    'archive the user state',
    'tar',
    ['--zstd', '-cpf', join(store, ARCHIVE), '-C', root, ...TAR_KEEP, '--', ...paths],
    ctx,
  );
  return users;
}

/**
 * Adds the saved users and groups the system at `root` lacks (an account it already has is
 * kept as it is); the user names added.
 */
export async function restoreAccounts(store: string, root: string): Promise<string[]> {
  const accounts: unknown = JSON.parse(await readFile(join(store, ACCOUNTS), 'utf8'));
  if (!Value.Check(SavedAccounts, accounts))
    refuse(`${join(store, ACCOUNTS)} is not a saved account list`);
  const added: string[] = [];
  for (const f of ACCOUNT_FILES) {
    const path = join(root, f);
    const text = await readFile(path, 'utf8').catch(() => '');
    const have = new Set(text.split('\n').map((l) => l.split(':')[0]));
    const missing = (accounts[f] ?? []).filter((l) => !have.has(l.split(':')[0]));
    if (missing.length === 0) continue;
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    await writeFile(path, `${text}${sep}${missing.join('\n')}\n`);
    if (f === 'etc/passwd') added.push(...missing.map((l) => l.split(':')[0] ?? ''));
  }
  return added;
}

/** Extracts a store's archive into `root` and adds its accounts; the users added. */
export async function restoreFromStore(
  store: string,
  root: string,
  ctx: Pick<StepContext, 'signal'>,
): Promise<string[]> {
  if (!existsSync(join(store, ARCHIVE)))
    refuse('no captured user state: run a Capture user state step first');
  await must(
    'extract the user state',
    'tar',
    ['--zstd', '-xpf', join(store, ARCHIVE), '-C', root, ...TAR_KEEP],
    ctx,
  );
  return restoreAccounts(store, root);
}

// ---- encryption (ADR 0096) ----

/** `STWUS1` + 12-byte IV + AES-256-GCM ciphertext + 16-byte tag. */
const MAGIC = Buffer.from('STWUS1', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyOf(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) refuse('the site sent a user-state key that is not 256 bits');
  return key;
}

/** Encrypts a file with the record's key (AES-256-GCM); nothing of the plaintext is kept. */
export async function encryptFile(plain: string, sealed: string, key: string): Promise<void> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(key), iv);
  const out = createWriteStream(sealed, { mode: 0o600 });
  out.write(Buffer.concat([MAGIC, iv]));
  await pipeline(createReadStream(plain), cipher, out, { end: false });
  await new Promise<void>((resolve, reject) => {
    out.end(cipher.getAuthTag(), () => resolve());
    out.on('error', reject);
  });
}

/**
 * Decrypts a sealed file into `plain`; a wrong key or changed bytes fail the tag check and leave
 * no plaintext behind.
 */
export async function decryptFile(sealed: string, plain: string, key: string): Promise<void> {
  const { size } = await stat(sealed);
  const head = MAGIC.length + IV_BYTES;
  if (size < head + TAG_BYTES) refuse('the user-state archive is too short to be one');
  const fh = await open(sealed, 'r');
  const header = Buffer.alloc(head);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    await fh.read(header, 0, head, 0);
    await fh.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await fh.close();
  }
  if (!header.subarray(0, MAGIC.length).equals(MAGIC))
    refuse('the user-state archive is not a Steward encrypted archive');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(key), header.subarray(MAGIC.length));
  decipher.setAuthTag(tag);
  try {
    await pipeline(
      createReadStream(sealed, { start: head, end: size - TAG_BYTES - 1 }),
      decipher,
      createWriteStream(plain, { mode: 0o600 }),
    );
  } catch {
    await rm(plain, { force: true });
    refuse('the user-state archive does not decrypt with its key (wrong key or changed bytes)');
  }
}

// ---- the state migration point ----

/** PUTs a file to the point (the record's token); what the point stored. */
export function uploadToPoint(
  agent: Agent,
  t: UserStateTransfer,
  file: string,
  signal: AbortSignal,
): Promise<StoredUserState> {
  const op = agentOps.stateMigrationPoint.put;
  return captureCall(
    { agent, siteUrl: t.url, token: t.token },
    op,
    createReadStream(file),
    signal,
    pathOf(op, { id: t.recordId }),
  );
}

/** GETs a record's archive from the point into `file`, checked against its SHA-256. */
export async function downloadFromPoint(
  agent: Agent,
  t: UserStateTransfer,
  file: string,
  signal: AbortSignal,
): Promise<void> {
  const url = new URL(pathOf(agentOps.stateMigrationPoint.get, { id: t.recordId }), t.url);
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', agent, signal, headers: { authorization: `Bearer ${t.token}` } },
      (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            reject(
              new Error(
                `the state migration point refused (${String(res.statusCode)}): ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`,
              ),
            ),
          );
          return;
        }
        res.on('data', (c: Buffer) => hash.update(c));
        pipeline(res, createWriteStream(file, { mode: 0o600 })).then(resolve, reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
  if (t.sha256 !== null && hash.digest('hex') !== t.sha256) {
    await rm(file, { force: true });
    refuse('the user-state archive from the state migration point does not match its SHA-256');
  }
}

/** The bundle sent to the point: the store folder (archive and accounts) as one tar. */
export async function bundleStore(
  store: string,
  bundle: string,
  ctx: Pick<StepContext, 'signal'>,
): Promise<void> {
  await must('bundle the user state', 'tar', ['-cf', bundle, '-C', store, ARCHIVE, ACCOUNTS], ctx);
}

export async function unbundleStore(
  bundle: string,
  store: string,
  ctx: Pick<StepContext, 'signal'>,
): Promise<void> {
  await rm(store, { recursive: true, force: true });
  await mkdir(store, { recursive: true, mode: 0o700 });
  await must('unbundle the user state', 'tar', ['-xf', bundle, '-C', store], ctx);
}
