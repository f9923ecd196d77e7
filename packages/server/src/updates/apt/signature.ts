import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Release signature checks with gpgv, as apt does them (apt-key verify / sqv are wrappers around
 * the same question): a signature that gpgv calls VALIDSIG, by a key in the source's keyring,
 * over a hash no weaker than SHA-256. Only the bytes gpgv says were signed are returned: text
 * around a clear-signed block (a classic injection into InRelease files) never reaches a parser.
 */

export type SignatureFailure =
  | 'bad-signature'
  | 'no-public-key'
  | 'expired-key'
  | 'revoked-key'
  | 'weak-digest'
  | 'not-signed'
  | 'keyring-unreadable';

export class SignatureError extends Error {
  constructor(
    readonly reason: SignatureFailure,
    detail: string,
  ) {
    super(detail);
  }
}

/** A check that passed: the signed bytes and the fingerprint of the key that signed them. */
export interface VerifiedText {
  text: string;
  fingerprint: string;
}

// OpenPGP hash algorithm ids (RFC 4880 9.4) that apt no longer accepts: MD5, SHA-1, RIPEMD-160.
const WEAK_DIGESTS = new Set(['1', '2', '3']);

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('gpgv', args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 2;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Reads gpgv's --status-fd lines into a verdict. */
export function judgeStatus(status: string, stderr: string): string {
  const lines = status.split('\n').filter((l) => l.startsWith('[GNUPG:] '));
  const has = (kw: string) =>
    lines.find((l) => l.startsWith(`[GNUPG:] ${kw} `) || l === `[GNUPG:] ${kw}`);
  if (has('NO_PUBKEY') ?? has('ERRSIG'))
    throw new SignatureError('no-public-key', 'signed by a key that is not in the source keyring');
  if (has('BADSIG')) throw new SignatureError('bad-signature', 'the signature does not match');
  if (has('EXPKEYSIG') ?? has('EXPSIG'))
    throw new SignatureError(
      'expired-key',
      'signed by an expired key or with an expired signature',
    );
  if (has('REVKEYSIG')) throw new SignatureError('revoked-key', 'signed by a revoked key');
  const valid = has('VALIDSIG');
  if (!valid) {
    if (/no valid OpenPGP data|no signature found|not a detached signature/i.test(stderr))
      throw new SignatureError('not-signed', 'no OpenPGP signature found');
    throw new SignatureError('bad-signature', stderr.trim().split('\n').pop() ?? 'gpgv refused it');
  }
  // VALIDSIG <fpr> <date> <ts> <expire> <ver> <reserved> <pk-algo> <hash-algo> <class> <primary-fpr>
  const f = valid.split(' ');
  const hashAlgo = f[9] ?? '';
  if (WEAK_DIGESTS.has(hashAlgo))
    throw new SignatureError(
      'weak-digest',
      `signed with a weak digest (OpenPGP hash algorithm ${hashAlgo})`,
    );
  return f[11] ?? f[2] ?? '';
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-gpgv-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Checks an InRelease file (clear-signed) against a keyring file; returns the signed text. */
export function verifyInRelease(signed: Buffer, keyringFile: string): Promise<VerifiedText> {
  return inTempDir(async (dir) => {
    const input = join(dir, 'InRelease');
    const output = join(dir, 'Release');
    await writeFile(input, signed);
    const r = await run(['--status-fd', '1', '--keyring', keyringFile, '--output', output, input]);
    if (
      /can't open|keyring.*not found|No such file/i.test(r.stderr) &&
      !r.stdout.includes('VALIDSIG')
    )
      throw new SignatureError('keyring-unreadable', `cannot read the keyring ${keyringFile}`);
    const fingerprint = judgeStatus(r.stdout, r.stderr);
    if (r.code !== 0)
      throw new SignatureError('bad-signature', r.stderr.trim() || `gpgv exit ${r.code}`);
    return { text: await readFile(output, 'utf8'), fingerprint };
  });
}

/** Checks a Release file against its detached Release.gpg. */
export function verifyDetached(
  release: Buffer,
  signature: Buffer,
  keyringFile: string,
): Promise<VerifiedText> {
  return inTempDir(async (dir) => {
    const data = join(dir, 'Release');
    const sig = join(dir, 'Release.gpg');
    await writeFile(data, release);
    await writeFile(sig, signature);
    const r = await run(['--status-fd', '1', '--keyring', keyringFile, sig, data]);
    const fingerprint = judgeStatus(r.stdout, r.stderr);
    if (r.code !== 0)
      throw new SignatureError('bad-signature', r.stderr.trim() || `gpgv exit ${r.code}`);
    return { text: release.toString('utf8'), fingerprint };
  });
}
