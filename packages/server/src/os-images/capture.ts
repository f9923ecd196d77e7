import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import {
  ErrorCode,
  OS_IMAGE_CAPTURE_GRANT,
  OS_IMAGE_CAPTURE_MAX_BYTES,
  InputError,
  type CapturedArchive,
  type ContentAccessClaims,
  type OsImageManifest,
  type RecordCaptureResponse,
} from '@steward/protocol';
import { nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction } from '../db/database.js';
import type { ContentStore } from '../content/content-store.js';
import { recordContentFile } from '../content/stored-files-repository.js';
import type { KnownCaller } from '../agent-api/endpoint-guard.js';
import { RunTokenAuth, signRunToken } from '../boot-images/run-token.js';
import type { SiteKeys } from '../site/site-keys.js';
import type { OsImageService } from './service.js';

/**
 * A capture step's upload to the site (issue 11, ADR 0094). The boot environment's answer
 * carries the run's capture token (a content access token, signed like every other, whose only
 * grant is `os-image-capture`); with it the step streams each archive to the agent listener
 * while tar writes it (the site hashes it as it stores it, nothing is buffered whole on either
 * side), then records the image from its manifest: the next version of its name, in the
 * content library with its layout, OS facts and size, as an administrator's import would be.
 */
export class OsImageCaptureService {
  /** The token is checked in `onRequest`, before a byte of the body is read. */
  readonly auth: RunTokenAuth['auth'];
  /** So the listener's guard treats a capture upload as a known caller's (no stranger limits). */
  readonly caller: KnownCaller;

  constructor(
    private readonly ctx: SiteContext,
    private readonly keys: SiteKeys,
    private readonly store: ContentStore,
    private readonly images: OsImageService,
  ) {
    const token = new RunTokenAuth(ctx, keys, OS_IMAGE_CAPTURE_GRANT, 'capture uploads');
    this.auth = token.auth;
    this.caller = token.caller;
  }

  /**
   * The run's token for a booted computer (`boot:<computer id>`): image capture uploads, and
   * user-state transfers when the sequence has a state-migration-point step (ADR 0096).
   */
  issueToken(
    computerId: string,
    grants: readonly string[] = [OS_IMAGE_CAPTURE_GRANT],
    notAfter?: Date,
  ): string {
    return signRunToken(this.ctx, this.keys, computerId, grants, undefined, notAfter);
  }

  private actorOf(claims: ContentAccessClaims): Actor {
    return { userId: claims.deviceId, userName: claims.deviceId, role: 'read-only-analyst' };
  }

  /** Streams one archive into the library (at most OS_IMAGE_CAPTURE_MAX_BYTES); its hash and size. */
  async archive(req: FastifyRequest, body: Readable): Promise<CapturedArchive> {
    const claims = await this.auth.get(req);
    const file = await this.store.putStream(body, undefined, OS_IMAGE_CAPTURE_MAX_BYTES);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await recordContentFile(tx, file, at);
      await writeAudit(tx, this.actorOf(claims), at, {
        action: 'os-image.capture-upload',
        targetType: 'content-file',
        targetId: file.sha256,
        details: { size: file.size },
      });
    });
    return file;
  }

  /** Records the captured image; its archives must be in the library (CONTENT_MISSING). */
  async record(req: FastifyRequest, manifest: OsImageManifest): Promise<RecordCaptureResponse> {
    const claims = await this.auth.get(req);
    if (manifest.source !== 'capture')
      throw new InputError(
        ErrorCode.OS_IMAGE_INVALID,
        'a capture upload records a captured image (source "capture")',
      );
    const image = await this.images.record(manifest, this.actorOf(claims));
    return { imageId: image.id, name: image.name, version: image.version };
  }
}
