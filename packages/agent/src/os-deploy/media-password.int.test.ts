/**
 * The media password at the engine (ADR 0097), from the real `steward-agent boot-env` process
 * over standalone media's files (steward/media.json, sequence.json, content/): media whose
 * media.json holds an scrypt hash run nothing with a wrong password (exit 1,
 * MEDIA_PASSWORD_WRONG, no engine state, the sequence's first step never ran) and run their
 * sequence with the right one, with no site. Unit-level: the hash checks the password it was made from only.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MEDIA_PASSWORD_SCRYPT,
  type MediaManifest,
  type MediaPasswordHash,
  type RunnableSequence,
} from '@steward/protocol';
import { STEWARD_AGENT as AGENT, exec } from '../../../../test-support/site.js';
import { mediaPasswordMatches, unlockMedia } from './media-password.js';

const PASSWORD = 'open sesame 42';

function hashOf(password: string): MediaPasswordHash {
  const { N, r, p, keyLength } = MEDIA_PASSWORD_SCRYPT;
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, keyLength, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return { scheme: 'scrypt', N, r, p, salt: salt.toString('base64'), hash: key.toString('base64') };
}

describe('media password', () => {
  const dir = mkdtempSync(join(tmpdir(), 'media-password-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const hash = hashOf(PASSWORD);
  const manifest: MediaManifest = {
    format: 1,
    name: 'kiosk',
    kind: 'standalone',
    bootImage: { name: 'default', version: 1 },
    siteUrl: 'https://site.example.org',
    createdAt: new Date().toISOString(),
    password: hash,
  };

  it('matches the password it was made from and nothing else', async () => {
    expect(await mediaPasswordMatches(hash, PASSWORD)).toBe(true);
    expect(await mediaPasswordMatches(hash, `${PASSWORD} `)).toBe(false);
    expect(await mediaPasswordMatches(hash, '')).toBe(false);
    // Three tries: a right answer on the third unlocks, and is returned (capture media's key
    // is sealed with it, ADR 0107); three wrong ones refuse.
    const answers = ['nope', 'still no', PASSWORD];
    await expect(unlockMedia(manifest, (n) => Promise.resolve(answers[n - 1]))).resolves.toBe(
      PASSWORD,
    );
    await expect(unlockMedia(manifest, () => Promise.resolve('wrong'))).rejects.toMatchObject({
      code: 'MEDIA_PASSWORD_WRONG',
    });
    // No answer at all (no console): refused, never waved through.
    await expect(unlockMedia(manifest, () => Promise.resolve(undefined))).rejects.toMatchObject({
      code: 'MEDIA_PASSWORD_WRONG',
    });
    const { password: _, ...open } = manifest;
    await expect(unlockMedia(open, () => Promise.resolve(undefined))).resolves.toBe(undefined);
  });

  it('the boot environment runs nothing from protected standalone media until the password is right', async () => {
    const steward = join(dir, 'steward');
    const content = join(steward, 'content');
    mkdirSync(content, { recursive: true });
    writeFileSync(join(steward, 'media.json'), JSON.stringify(manifest));
    const marker = join(dir, 'ran');
    const seq: RunnableSequence = {
      sequenceId: 'media',
      name: 'From media',
      version: 1,
      variables: {},
      steps: [
        {
          type: 'step',
          kind: 'run-command',
          id: 'touch',
          name: 'touch',
          enabled: true,
          continueOnError: false,
          settings: { command: `echo ran > ${marker}` },
        },
      ],
    };
    writeFileSync(join(steward, 'sequence.json'), JSON.stringify(seq));
    // As the boot image's init does on standalone media (steward.media=standalone), with the
    // media's files in a folder instead of a mounted ISO.
    const run = (passwordFile: string, state: string) =>
      exec(AGENT, [
        'boot-env',
        '--media-root',
        dir,
        '--state-dir',
        join(dir, state),
        '--target',
        join(dir, 'target'),
        '--password-file',
        passwordFile,
      ]);
    writeFileSync(join(dir, 'wrong'), 'open sesame 43\n');
    const refused = await run(join(dir, 'wrong'), 'state-1');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('MEDIA_PASSWORD_WRONG');
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'state-1', 'task-sequence', 'state.json'))).toBe(false);

    writeFileSync(join(dir, 'right'), `${PASSWORD}\n`);
    const ran = await run(join(dir, 'right'), 'state-2');
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(0);
    expect(ran.stdout).toContain('"From media"');
    expect(existsSync(marker)).toBe(true);
  });
});
