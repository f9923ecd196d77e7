import { createPublicKey } from 'node:crypto';
import {
  ErrorCode,
  NotAllowedError,
  placedSteps,
  sequenceTree,
  TASK_SEQUENCE_RESUME_GRANT,
  TASK_SEQUENCE_RESUME_TOKEN_SECONDS,
  type AgentTaskSequenceDeployment,
  type BootResume,
  type SequenceItem,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import type { Queryable } from '../db/database.js';
import { verifyContentAccessToken } from '../content/access-token.js';
import { findPackage } from '../content/repository.js';
import type { SiteKeys } from '../site/site-keys.js';
import { findVersion } from '../task-sequences/repository.js';
import * as repo from './repository.js';
import { BOOT_COMPUTER, signRunToken } from './run-token.js';
import { toBootImage } from './service.js';

/**
 * Restarts from the full OS into the boot image (issue 11, ADR 0105). A device whose deployed
 * sequence restarts into the boot image gets, with its assignments, the boot image's files
 * (from the package version it is then entitled to download) and a resume token; the boot
 * environment presents the token to ask for that deployment as that device.
 */

const grantOf = (deploymentId: string) => `${TASK_SEQUENCE_RESUME_GRANT}:${deploymentId}`;

/** Whether an enabled step of the sequence restarts the computer into the boot image. */
export function restartsIntoBootImage(steps: readonly SequenceItem[]): boolean {
  return placedSteps(sequenceTree(steps)).some(
    ({ step, groups }) =>
      step.kind === 'restart-computer' &&
      step.settings.into === 'boot-image' &&
      step.enabled &&
      groups.every((g) => g.enabled),
  );
}

export function signResumeToken(
  ctx: SiteContext,
  keys: SiteKeys,
  deviceId: string,
  deploymentId: string,
): string {
  return signRunToken(
    ctx,
    keys,
    deviceId,
    [grantOf(deploymentId)],
    TASK_SEQUENCE_RESUME_TOKEN_SECONDS,
  );
}

/** Throws CONTENT_ACCESS_DENIED unless the token was issued for this device and deployment. */
export function checkResumeToken(ctx: SiteContext, keys: SiteKeys, resume: BootResume): void {
  const claims = verifyContentAccessToken(
    createPublicKey(keys.policySigningKey),
    resume.token,
    ctx.clock.now().getTime(),
  );
  if (
    claims.site !== keys.caFingerprint ||
    claims.deviceId !== `${BOOT_COMPUTER}${resume.deviceId}` ||
    !(claims.siteContent ?? []).includes(grantOf(resume.deploymentId))
  )
    throw new NotAllowedError(
      `this token does not resume deployment ${resume.deploymentId} on device ${resume.deviceId}`,
      ErrorCode.CONTENT_ACCESS_DENIED,
    );
}

/**
 * Deployed sequences with the boot image their restart steps boot (a ready image with its
 * content built); a sequence whose image is missing goes without, and its restart step fails
 * on the agent saying so.
 */
export async function withBootImages(
  ctx: SiteContext,
  keys: SiteKeys,
  deviceId: string,
  deployments: readonly AgentTaskSequenceDeployment[],
): Promise<AgentTaskSequenceDeployment[]> {
  const db = ctx.db.kysely;
  const out: AgentTaskSequenceDeployment[] = [];
  for (const d of deployments) {
    if (!restartsIntoBootImage(d.sequence.steps)) {
      out.push(d);
      continue;
    }
    const image = await bootImageOf(db, d.sequence.sequenceId, d.sequence.version);
    out.push(
      image === undefined
        ? d
        : {
            ...d,
            bootImage: { ...image, resumeToken: signResumeToken(ctx, keys, deviceId, d.id) },
          },
    );
  }
  return out;
}

async function bootImageOf(db: Queryable, sequenceId: string, version: number) {
  const v = await findVersion(db, sequenceId, version);
  if (!v?.boot_image_id) return undefined;
  const row = await repo.findBootImage(db, v.boot_image_id);
  if (row?.status !== 'ready' || row.package_id === null) return undefined;
  const pkg = await findPackage(db, row.package_id);
  if (!pkg?.current_version_id) return undefined;
  const image = toBootImage(row);
  return {
    id: image.id,
    name: image.name,
    version: image.version,
    packageVersionId: pkg.current_version_id,
    files: image.files,
    kernelArgs: image.kernelArgs,
  };
}
