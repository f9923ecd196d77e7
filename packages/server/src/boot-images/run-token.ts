import { createPublicKey, type KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  ErrorCode,
  NotAllowedError,
  OS_IMAGE_CAPTURE_TOKEN_SECONDS,
  UnauthenticatedError,
  type ContentAccessClaims,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { signContentAccessToken, verifyContentAccessToken } from '../content/access-token.js';
import { authenticateFirst, type KnownCaller } from '../agent-api/endpoint-guard.js';
import type { SiteKeys } from '../site/site-keys.js';
import { findMedia } from '../media/repository.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** A run's token names its computer `boot:<computer id>`. */
export const BOOT_COMPUTER = 'boot:';
/**
 * The grant a token issued to capture media's boot carries beside the capture grant (ADR 0107):
 * `capture-media:<media id>`. The token works only while those media exist.
 */
export const CAPTURE_MEDIA_GRANT = 'capture-media:';

/**
 * A token of a boot environment's run (ADR 0094): a content access token, signed like every
 * other, for `boot:<computer id>`, whose `siteContent` grants say what it may do (capture
 * uploads, user-state transfers, one record's archive on a state migration point).
 */
export function signRunToken(
  ctx: SiteContext,
  keys: SiteKeys,
  computerId: string,
  grants: readonly string[],
  seconds = OS_IMAGE_CAPTURE_TOKEN_SECONDS,
  /** An earlier end than `seconds` after now (capture media's key expiry). */
  notAfter?: Date,
): string {
  const iat = Math.floor(ctx.clock.now().getTime() / 1000);
  const cap = notAfter === undefined ? Infinity : Math.floor(notAfter.getTime() / 1000);
  return signContentAccessToken(keys.policySigningKey, {
    deviceId: `${BOOT_COMPUTER}${computerId}`,
    siteCode: keys.siteCode,
    site: keys.caFingerprint,
    packageVersionIds: [],
    siteContent: [...grants],
    iat,
    exp: Math.min(iat + seconds, cap),
  });
}

/**
 * Checks a run's token for one grant, in `onRequest` (before a byte of the body is read), and
 * is the listener guard's known caller for those routes (no stranger limits).
 */
export class RunTokenAuth {
  private readonly publicKey: KeyObject;
  readonly auth = authenticateFirst((req) => this.claimsOf(req));
  readonly caller: KnownCaller = {
    header: 'authorization',
    authenticate: (req) => this.auth.get(req),
    isAuthenticated: (req) => this.auth.has(req),
  };

  /** `what`: what the grant allows, for the refusal ("capture uploads"). */
  constructor(
    private readonly ctx: SiteContext,
    private readonly keys: SiteKeys,
    private readonly grant: string,
    private readonly what: string,
  ) {
    this.publicKey = createPublicKey(keys.policySigningKey);
  }

  private async claimsOf(req: FastifyRequest): Promise<ContentAccessClaims> {
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (!token)
      throw new UnauthenticatedError(
        ErrorCode.CONTENT_ACCESS_DENIED,
        "send Authorization: Bearer <the run's token>",
      );
    const claims = verifyContentAccessToken(this.publicKey, token, this.ctx.clock.now().getTime());
    if (
      claims.site !== this.keys.caFingerprint ||
      !claims.deviceId.startsWith(BOOT_COMPUTER) ||
      !(claims.siteContent ?? []).includes(this.grant)
    )
      throw new NotAllowedError(
        `this token does not grant ${this.what}`,
        ErrorCode.CONTENT_ACCESS_DENIED,
      );
    // Deleting capture media revokes what their key obtained (ADR 0107).
    const media = claims.siteContent
      ?.find((g) => g.startsWith(CAPTURE_MEDIA_GRANT))
      ?.slice(CAPTURE_MEDIA_GRANT.length);
    if (media !== undefined && !(await findMedia(this.ctx.db.kysely, media)))
      throw new NotAllowedError(
        'the capture media this token was issued to were deleted',
        ErrorCode.CONTENT_ACCESS_DENIED,
      );
    return claims;
  }
}
