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

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** A run's token names its computer `boot:<computer id>`. */
export const BOOT_COMPUTER = 'boot:';

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
): string {
  const iat = Math.floor(ctx.clock.now().getTime() / 1000);
  return signContentAccessToken(keys.policySigningKey, {
    deviceId: `${BOOT_COMPUTER}${computerId}`,
    siteCode: keys.siteCode,
    site: keys.caFingerprint,
    packageVersionIds: [],
    siteContent: [...grants],
    iat,
    exp: iat + seconds,
  });
}

/**
 * Checks a run's token for one grant, in `onRequest` (before a byte of the body is read), and
 * is the listener guard's known caller for those routes (no stranger limits).
 */
export class RunTokenAuth {
  private readonly publicKey: KeyObject;
  readonly auth = authenticateFirst((req) => Promise.resolve(this.claimsOf(req)));
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

  private claimsOf(req: FastifyRequest): ContentAccessClaims {
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
    return claims;
  }
}
