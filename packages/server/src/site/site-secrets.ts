import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, type Queryable } from '../db/database.js';
import {
  MASTER_KEY_ENV,
  generateMasterKey,
  masterKeyPath,
  nextMasterKeyPath,
  readMasterKey,
  writeMasterKey,
  type MasterKey,
} from './master-key.js';
import { SecretBox, isSealed, sealedKeyId } from './secret-box.js';
import { replaceSettingValue, settingsByKeys, settingsWithValuePrefix } from './repository.js';
import { whileSiteStopped } from './site-presence.js';
import { replacePushSecrets, sealedPushSecrets } from '../client-push/repository.js';

/**
 * The site settings that hold a secret: stored sealed, never in plaintext. A later secret kept in
 * `site_setting` is added here; one kept in a table of its own is added to `sealedRows`.
 */
export const SECRET_SETTINGS: readonly string[] = [
  'site_ca',
  'policy_signing_key',
  'update_repo_signing_key',
];

/** A process cannot open the site's secrets: it must not start (and must not make new keys). */
export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

interface SealedRow {
  key: string;
  value: string;
}

/** Every sealed secret of the site (the rows a rotation re-seals). */
async function sealedRows(db: Queryable): Promise<SealedRow[]> {
  const push = (await sealedPushSecrets(db)).flatMap((a) => [
    { key: `push_account:${a.id}:secret`, value: a.secret },
    ...(a.passphrase === null
      ? []
      : [{ key: `push_account:${a.id}:passphrase`, value: a.passphrase }]),
  ]);
  return [
    ...(await settingsWithValuePrefix(db, { valuePrefix: 'enc:v1:', ordered: true })),
    ...push,
  ];
}

function keyIdsOf(rows: readonly SealedRow[]): Set<string> {
  return new Set(rows.map((r) => sealedKeyId(r.value) ?? ''));
}

function missingKeyMessage(path: string, ids: Iterable<string>): string {
  return (
    `this site's secrets are sealed with master key ${[...ids].join(', ')}, and ${path} ` +
    (existsSync(path) ? 'holds another key' : 'does not exist') +
    `. Give this process the site's master key file (--master-key-file or ${MASTER_KEY_ENV}; ` +
    'every process of a site uses the same key, see docs/security.md). No new key was made.'
  );
}

/**
 * A rotation that stopped between writing `<key>.next` and swapping it in: the database tells
 * whether its transaction committed (secrets sealed with the next key) or not.
 */
async function finishInterruptedRotation(db: Queryable, path: string): Promise<void> {
  const nextPath = nextMasterKeyPath(path);
  const next = readMasterKey(nextPath);
  if (next === undefined) return;
  if (keyIdsOf(await sealedRows(db)).has(next.id)) renameSync(nextPath, path);
  else rmSync(nextPath, { force: true });
}

/** The key in `path`, made at the first start of a site whose database holds no sealed secret. */
async function loadOrCreateMasterKey(db: Queryable, path: string): Promise<MasterKey> {
  const existing = readMasterKey(path);
  if (existing !== undefined) return existing;
  const ids = keyIdsOf(await sealedRows(db));
  if (ids.size > 0) throw new MasterKeyError(missingKeyMessage(path, ids));
  try {
    writeMasterKey(path, generateMasterKey());
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  }
  // Another process may have won the race to create it: everyone uses what is on disk.
  const created = readMasterKey(path);
  if (created === undefined) throw new MasterKeyError(`could not create ${path}`);
  return created;
}

/** Seals, in one transaction, the secrets an older version stored in plaintext. */
async function sealPlaintextSecrets(db: Queryable, box: SecretBox): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const rows = await settingsByKeys(trx, [...SECRET_SETTINGS]);
    // Compare-and-set: a process starting at the same time may have sealed the row already.
    for (const row of rows.filter((r) => !isSealed(r.value)))
      await replaceSettingValue(trx, {
        key: row.key,
        value: box.seal(row.value),
        ifValue: row.value,
      });
  });
}

/**
 * The site's secret box for this process: the master key from `--master-key-file`,
 * STEWARD_MASTER_KEY_FILE or `<dataDir>/master.key` (created 0600 at the first start). Refuses
 * (MasterKeyError) when the database holds secrets sealed with a key this process lacks. Secrets
 * left in plaintext by an older version are sealed in place.
 */
export async function openSiteSecrets(
  db: Queryable,
  opts: { dataDir: string; masterKeyFile?: string | undefined },
): Promise<SecretBox> {
  const path = masterKeyPath(opts.dataDir, opts.masterKeyFile);
  await finishInterruptedRotation(db, path);
  const key = await loadOrCreateMasterKey(db, path);
  const box = new SecretBox(key);
  const unknown = [...keyIdsOf(await sealedRows(db))].filter((id) => !box.knows(id));
  if (unknown.length > 0) throw new MasterKeyError(missingKeyMessage(path, unknown));
  await sealPlaintextSecrets(db, box);
  return box;
}

export interface RotationResult {
  path: string;
  previousKeyId: string;
  keyId: string;
  resealed: number;
}

/**
 * Re-seals every secret with a new master key. Crash-safe in this order: the new key is written
 * 0600 beside the old one (`<key>.next`), the database is re-sealed in one transaction, then the
 * new file replaces the old. Interrupted anywhere, the next start (or a second rotation) finds
 * either the old key matching an untouched database or the committed new key, and finishes.
 * The site's server processes must be stopped (`rotateSiteMasterKey` refuses otherwise);
 * afterwards give the new file to every process.
 */
export async function rotateMasterKey(
  db: Queryable,
  opts: { dataDir: string; masterKeyFile?: string | undefined },
): Promise<RotationResult> {
  const current = await openSiteSecrets(db, opts);
  const path = masterKeyPath(opts.dataDir, opts.masterKeyFile);
  const nextPath = nextMasterKeyPath(path);
  const next = generateMasterKey();
  writeMasterKey(nextPath, next);
  const previous = readMasterKey(path);
  if (previous === undefined) throw new MasterKeyError(`${path} disappeared during the rotation`);
  const box = new SecretBox(next, [previous]);
  const resealed = await db.transaction().execute(async (trx) => {
    const rows = await settingsWithValuePrefix(trx, { valuePrefix: 'enc:v1:', ordered: false });
    for (const row of rows)
      await replaceSettingValue(trx, { key: row.key, value: box.seal(box.open(row.value)) });
    // Push account credentials (issue 9) live in their own table.
    const push = await sealedPushSecrets(trx);
    for (const a of push)
      await replacePushSecrets(trx, {
        id: a.id,
        secret: box.seal(box.open(a.secret)),
        passphrase: a.passphrase === null ? null : box.seal(box.open(a.passphrase)),
      });
    return rows.length + push.length;
  });
  renameSync(nextPath, path);
  return { path, previousKeyId: current.keyId, keyId: next.id, resealed };
}

/** `steward server rotate-master-key`: opens the site database, rotates, closes it. */
export async function rotateSiteMasterKey(opts: {
  dataDir: string;
  db?: string | undefined;
  masterKeyFile?: string | undefined;
}): Promise<RotationResult> {
  const db = await openDatabase(opts.db ?? join(opts.dataDir, 'steward.db'));
  try {
    // Every table holding a sealed secret must exist (push accounts came with a migration).
    await migrateToLatest(db);
    return await whileSiteStopped(db, opts.dataDir, () => rotateMasterKey(db.kysely, opts));
  } finally {
    await db.close();
  }
}
