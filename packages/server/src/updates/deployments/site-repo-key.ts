import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Type } from '@sinclair/typebox';
import { parseJsonColumn } from '../../db/corrupt-row.js';
import type { Queryable } from '../../db/database.js';
import type { SecretBox } from '../../site/secret-box.js';
import { secretOrInit } from '../../site/site-keys.js';

const run = promisify(execFile);

/** The site setting (sealed) holding the site's OpenPGP key for approved-update repositories. */
export const REPO_KEY_SETTING = 'update_repo_signing_key';

const StoredKey = Type.Object({
  fingerprint: Type.String(),
  /** ASCII-armoured secret key (no passphrase: the sealed setting is its protection). */
  secretKey: Type.String(),
  /** ASCII-armoured public key: what agents' apt trusts (Signed-By) for approved updates. */
  publicKey: Type.String(),
});

/**
 * The site's own OpenPGP signing key for the apt repositories of approved updates (ADR 0050). apt
 * verifies only OpenPGP signatures, so the site's Ed25519 policy key cannot sign them; one key is
 * made with gpg the first time a repository is built, and kept sealed in site_setting like the
 * site's other keys, so every server process of the site signs with the same key.
 */
export class SiteRepoKey {
  private constructor(
    readonly fingerprint: string,
    readonly publicKey: string,
    private readonly secretKey: string,
  ) {}

  static async loadOrCreate(db: Queryable, box: SecretBox, siteCode: string): Promise<SiteRepoKey> {
    const json = await secretOrInit(db, box, REPO_KEY_SETTING, () => generate(siteCode));
    const k = parseJsonColumn(StoredKey, json, {
      table: 'site_setting',
      id: REPO_KEY_SETTING,
      column: 'value',
    });
    return new SiteRepoKey(k.fingerprint, k.publicKey, k.secretKey);
  }

  /** Clear-signs `releaseFile` into `inReleaseFile` (apt's InRelease). */
  async clearSign(releaseFile: string, inReleaseFile: string): Promise<void> {
    await withHome(async (home) => {
      const keyFile = join(home, 'secret.asc');
      await writeFile(keyFile, this.secretKey, { mode: 0o600 });
      await gpg(home, ['--import', keyFile]);
      await gpg(home, [
        '--local-user',
        this.fingerprint,
        '--digest-algo',
        'SHA512',
        '--clearsign',
        '--output',
        inReleaseFile,
        releaseFile,
      ]);
    });
  }
}

function gpg(home: string, args: string[]) {
  return run('gpg', [
    '--batch',
    '--quiet',
    '--homedir',
    home,
    '--pinentry-mode',
    'loopback',
    '--passphrase',
    '',
    ...args,
  ]);
}

async function withHome<T>(fn: (home: string) => Promise<T>): Promise<T> {
  const home = await mkdtemp(join(tmpdir(), 'steward-site-gpg-'));
  try {
    return await fn(home);
  } finally {
    // gpg-agent may have started for this home: stop it before its socket folder goes.
    await run('gpgconf', ['--homedir', home, '--kill', 'all']).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  }
}

async function generate(siteCode: string): Promise<string> {
  return withHome(async (home) => {
    await gpg(home, [
      '--quick-gen-key',
      `Steward site ${siteCode} approved updates <updates-${siteCode.toLowerCase()}@steward.invalid>`,
      'ed25519',
      'sign',
      'never',
    ]);
    const colons = (await gpg(home, ['--with-colons', '--list-secret-keys'])).stdout;
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
    if (fingerprint === undefined) throw new Error('gpg made no key');
    const secretKey = (await gpg(home, ['--armor', '--export-secret-keys', fingerprint])).stdout;
    const publicKey = (await gpg(home, ['--armor', '--export', fingerprint])).stdout;
    return JSON.stringify({ fingerprint, secretKey, publicKey });
  });
}
