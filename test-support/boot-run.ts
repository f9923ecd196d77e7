import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import {
  BootTaskSequenceResponse,
  ops,
  type BootTaskSequence,
  type TaskSequenceBody,
} from '@steward/protocol';
import { openDatabase } from '../packages/server/src/db/database.js';
import { insertBuiltBootImage } from '../packages/server/test/support/boot-images.js';
import { postToAgent } from './agent-http.js';
import type { Site } from './site.js';

/**
 * A task sequence deployed to All Unknown Computers (media and PXE) with a boot image as its
 * build leaves it (a real build needs a mirror and minutes); the boot key its boot
 * environments present. For agent tests of boot-environment steps that reach the site.
 */
export async function deployBootSequence(
  site: Site,
  name: string,
  steps: TaskSequenceBody['steps'],
): Promise<string> {
  const db = await openDatabase(site.dbUrl ?? join(site.dir, 'server', 'steward.db'));
  const bootKey = randomBytes(32).toString('base64url');
  try {
    const bootImageId = await insertBuiltBootImage(db.kysely, { bootKey });
    const seq = await site.api.call(ops.taskSequences.create, {
      body: { name, kind: 'custom', bootImageId, variables: {}, steps },
    });
    await site.api.call(ops.taskSequenceDeployments.create, {
      body: {
        sequenceId: seq.id,
        collectionId: 'all-unknown-computers',
        purpose: 'required',
        availableTo: 'media-and-pxe',
      },
    });
  } finally {
    await db.close();
  }
  return bootKey;
}

/**
 * A BIOS amd64 machine's boot environment registers and gets its run: its id, its token and the
 * site's whole answer (null: nothing deployed to it).
 */
export async function bootRun(
  site: Site,
  bootKey: string,
  mac: string,
): Promise<{ computerId: string; token: string | null; answer: BootTaskSequence | null }> {
  const reg = await postToAgent(site.agentUrl, '/agent/v1/boot/register', {
    bootKey,
    smbiosUuid: null,
    macs: [mac],
    arch: 'amd64',
    firmware: 'bios',
    modaliases: [],
  });
  const computerId = (reg.json as { computerId: string }).computerId;
  const asked = await postToAgent(site.agentUrl, '/agent/v1/boot/task-sequence', {
    bootKey,
    kind: 'unknown',
    computerId,
  });
  if (!Value.Check(BootTaskSequenceResponse, asked.json))
    throw new Error('the site answered no boot task sequence');
  const answer = asked.json.taskSequence;
  return { computerId, token: answer?.captureToken ?? null, answer };
}
