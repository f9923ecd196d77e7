import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  ComputerVariables,
  ErrorCode,
  OS_IMAGE_CAPTURE_GRANT,
  USER_STATE_GRANT,
  NotAllowedError,
  NotFoundError,
  SequenceSteps,
  Variables,
  referencesOf,
  type BootDriversRequest,
  type BootDriversResponse,
  type BootOsImageContent,
  type BootResume,
  type BootTaskSequenceRequest,
  type BootTaskSequenceResponse,
} from '@steward/protocol';
import { nowIso, SYSTEM_ACTOR, type SiteContext } from '../context.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import type { ContentLocationService } from '../distribution/location-service.js';
import type { EnrolmentService } from '../enrolment/service.js';
import {
  ALL_IMPORTED_COMPUTERS,
  ALL_UNKNOWN_COMPUTERS,
  unknownCollectionOfArch,
} from '../collections/builtin-osd.js';
import { bootDrivers } from '../drivers/boot-drivers.js';
import * as osImages from '../os-images/repository.js';
import { manifestOf } from '../os-images/service.js';
import * as sequences from '../task-sequences/repository.js';
import {
  collectionsOfDevice,
  findDeployment,
  pxeCandidates,
  type PxeCandidate,
} from '../task-sequences/deployment-repository.js';
import { openBootRunOf, type BootRunComputer } from '../task-sequences/boot-runs.js';
import { findMediaByCaptureKey } from '../media/repository.js';
import { captureMediaSequence } from '../media/service.js';
import * as repo from './repository.js';
import { CAPTURE_MEDIA_GRANT } from './run-token.js';

const Strings = Type.Array(Type.String());

/** What the answer needs of the chosen deployment. */
type Chosen = Pick<PxeCandidate, 'id' | 'purpose' | 'sequence_id' | 'version' | 'collection_id'>;

/**
 * The boot environment's own request for its task sequence (issue 11, ADR 0085). The caller
 * proved it runs an image of this site (its boot key, checked by the caller) and names the
 * computer its registration returned; the site chooses among that computer's collections'
 * media-and-PXE deployments as the PXE decision does (required first, oldest first, the boot
 * image's architecture), and answers with everything the boot environment needs to run the
 * sequence without a media folder.
 */
export class BootSequenceService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly enrolment: EnrolmentService,
    private readonly locations: ContentLocationService,
    /** Issues the run's capture token (ADR 0094). */
    private readonly captureToken: (
      computerId: string,
      grants: readonly string[],
      notAfter?: Date,
    ) => string,
    /** Checks a resume token (ADR 0105); throws when it does not name the device and deployment. */
    private readonly checkResume: (resume: BootResume) => void,
  ) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  /** Collections and variables of the computer; NotFound when it never registered. */
  private async computer(req: Pick<BootTaskSequenceRequest, 'kind' | 'computerId'>): Promise<{
    collections: string[];
    arch: string | null;
    variables: Record<string, string>;
    /** Who the run is kept for (ADR 0103). */
    run: BootRunComputer;
  }> {
    if (req.kind === 'imported') {
      const row = await repo.findImportedComputer(this.db, req.computerId);
      if (!row)
        throw new NotFoundError('computer', req.computerId, ErrorCode.UNKNOWN_COMPUTER_NOT_FOUND);
      const variables = parseJsonColumn(ComputerVariables, row.variables, {
        table: 'imported_computer',
        id: row.id,
        column: 'variables',
      });
      const run: BootRunComputer = {
        kind: 'imported',
        id: row.id,
        name: row.name,
        smbiosUuid: row.smbios_uuid,
        macs: row.mac ? [row.mac] : [],
      };
      return { collections: [ALL_IMPORTED_COMPUTERS], arch: null, variables, run };
    }
    const row = await repo.findUnknownComputer(this.db, req.computerId);
    if (!row)
      throw new NotFoundError('computer', req.computerId, ErrorCode.UNKNOWN_COMPUTER_NOT_FOUND);
    const byArch = unknownCollectionOfArch(row.arch);
    return {
      collections: [ALL_UNKNOWN_COMPUTERS, ...(byArch ? [byArch] : [])],
      arch: row.arch,
      variables: {},
      run: {
        kind: 'unknown',
        id: row.id,
        name: null,
        smbiosUuid: row.smbios_uuid,
        macs: parseJsonColumn(Strings, row.macs, {
          table: 'unknown_computer',
          id: row.id,
          column: 'macs',
        }),
      },
    };
  }

  /**
   * An apply-drivers step's driver packages (issue 11 gap 2) for a registered computer (NotFound
   * otherwise): served from the DPs of the caller's boundary groups with a token for each.
   */
  async drivers(req: BootDriversRequest, address: string): Promise<BootDriversResponse> {
    await this.computer(req);
    return bootDrivers(this.db, req, (versionId) =>
      this.locations.forEntitledDevice(`boot:${req.computerId}`, versionId, address),
    );
  }

  /** The deployment chosen for the computer as the PXE decision chooses. */
  private async chosen(
    req: BootTaskSequenceRequest,
  ): Promise<
    { deployment: Chosen; variables: Record<string, string>; run: BootRunComputer } | undefined
  > {
    const who = await this.computer(req);
    const candidates = (await pxeCandidates(this.db, who.collections, nowIso(this.ctx))).filter(
      (c) => who.arch === null || c.boot_image_arch === who.arch,
    );
    const deployment =
      candidates.find((c) => c.purpose === 'required') ??
      candidates.find((c) => c.purpose === 'available');
    return deployment && { deployment, variables: who.variables, run: who.run };
  }

  /**
   * A run the full OS restarted into the boot image (ADR 0105): the deployment its token names,
   * while it is enabled and its collection still holds the device.
   */
  private async resumed(resume: BootResume): Promise<Chosen | undefined> {
    this.checkResume(resume);
    const d = await findDeployment(this.db, resume.deploymentId);
    if (!d || d.enabled !== 1) return undefined;
    const collections = await collectionsOfDevice(this.db, resume.deviceId);
    return collections.includes(d.collection_id) ? d : undefined;
  }

  /**
   * The capture sequence of the capture media whose key the boot environment presents (ADR
   * 0107), with a token for capture uploads only, ending with the key (or with the media, when
   * they are deleted). The computer's own variables apply (an imported reference machine's
   * OSDTargetDisk chooses the disk to capture).
   */
  private async captureMedia(
    req: BootTaskSequenceRequest,
    key: string,
  ): Promise<BootTaskSequenceResponse> {
    const who = await this.computer(req);
    const media = await findMediaByCaptureKey(
      this.db,
      createHash('sha256').update(key).digest('hex'),
    );
    const expires = media?.capture_key_expires_at ?? null;
    if (
      !media ||
      media.kind !== 'capture' ||
      media.status !== 'ready' ||
      expires === null ||
      Date.parse(expires) <= this.ctx.clock.now().getTime()
    )
      throw new NotAllowedError(
        'the media key names no capture media of this site that still work (deleted, expired or never built)',
        ErrorCode.MEDIA_KEY_REFUSED,
      );
    const sequence = captureMediaSequence(media.name, media.capture_image_name ?? 'Captured');
    return {
      taskSequence: {
        id: sequence.sequenceId,
        name: sequence.name,
        version: sequence.version,
        deploymentId: `${CAPTURE_MEDIA_GRANT}${media.id}`,
        purpose: 'required',
        sequence: { ...sequence, variables: who.variables },
        enrolmentToken: null,
        osImages: [],
        captureToken: this.captureToken(
          req.computerId,
          [OS_IMAGE_CAPTURE_GRANT, `${CAPTURE_MEDIA_GRANT}${media.id}`],
          new Date(expires),
        ),
      },
    };
  }

  async taskSequence(
    req: BootTaskSequenceRequest,
    address: string,
  ): Promise<BootTaskSequenceResponse> {
    if (req.mediaKey !== undefined) return this.captureMedia(req, req.mediaKey);
    const found:
      { deployment: Chosen; variables: Record<string, string>; run?: BootRunComputer } | undefined =
      req.resume
        ? await this.resumed(req.resume).then((d) => d && { deployment: d, variables: {} })
        : await this.chosen(req);
    if (!found) return { taskSequence: null };
    const chosen = found.deployment;
    // A resumed run acts as its device: its content, captures and user state are the device's.
    const computerId = req.resume?.deviceId ?? req.computerId;
    const seq = await sequences.findSequence(this.db, chosen.sequence_id);
    const version = await sequences.findVersion(this.db, chosen.sequence_id, chosen.version);
    if (!seq || !version) return { taskSequence: null };
    // A computer's run is kept from the offer on (ADR 0103); a run resumed from the full OS is
    // its device's own run record, advanced by the agent.
    if (found.run)
      await openBootRunOf(this.db, {
        deploymentId: chosen.id,
        computer: found.run,
        sequenceId: seq.id,
        version: version.version,
        stepCount: version.step_count,
        at: nowIso(this.ctx),
      });
    const ref = {
      table: 'task_sequence_version' as const,
      id: `${seq.id}/${String(version.version)}`,
    };
    const steps = parseJsonColumn(SequenceSteps, version.steps, { ...ref, column: 'steps' });
    const defaults = parseJsonColumn(Variables, version.variables, { ...ref, column: 'variables' });
    const collectionVars = await sequences.variablesOf(
      this.db,
      'collection_ts_variable',
      chosen.collection_id,
    );
    const variables = {
      ...defaults,
      ...Object.fromEntries(collectionVars.map((v) => [v.name, v.value])),
      ...found.variables,
    };
    const installsAgent = steps.some(
      (s) => s.type === 'step' && s.kind === 'install-agent' && s.enabled,
    );
    const enrolmentToken = installsAgent
      ? ((
          await this.enrolment.createToken(SYSTEM_ACTOR, {
            description: `boot environment of ${req.resume ? 'device' : req.kind} computer ${computerId}, ${seq.name} ${String(version.version)}`,
            maxUses: 1,
            expiresInHours: 24,
          })
        ).token ?? null)
      : null;
    const captures = steps.some(
      (s) => s.type === 'step' && s.kind === 'capture-os-image' && s.enabled,
    );
    // A user-state step with the state migration point store reaches the site with the same
    // token (ADR 0096): its grants say what it may do.
    const userState = steps.some(
      (s) =>
        s.type === 'step' &&
        s.enabled &&
        (s.kind === 'capture-user-state' || s.kind === 'restore-user-state') &&
        s.settings.store === 'state-migration-point',
    );
    const grants = [
      ...(captures ? [OS_IMAGE_CAPTURE_GRANT] : []),
      ...(userState ? [USER_STATE_GRANT] : []),
    ];
    const images: BootOsImageContent[] = [];
    for (const imageId of referencesOf(steps).imageIds) {
      const row = await osImages.findOsImage(this.db, imageId);
      if (!row?.package_version_id) continue;
      const located = await this.locations.forEntitledDevice(
        `boot:${computerId}`,
        row.package_version_id,
        address,
      );
      images.push({
        imageId: row.id,
        packageVersionId: row.package_version_id,
        manifest: manifestOf(row),
        locations: located.locations,
        accessToken: located.accessToken,
        accessTokenExpiresAt: located.accessTokenExpiresAt,
      });
    }
    return {
      taskSequence: {
        id: seq.id,
        name: seq.name,
        version: version.version,
        deploymentId: chosen.id,
        purpose: chosen.purpose,
        sequence: {
          sequenceId: seq.id,
          name: seq.name,
          version: version.version,
          steps,
          variables,
        },
        enrolmentToken,
        osImages: images,
        captureToken: grants.length > 0 ? this.captureToken(computerId, grants) : null,
      },
    };
  }
}
