import { InputError, NotAllowedError, NotFoundError, ErrorCode } from '@steward/protocol';
import type { ContentLocations } from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import type { SiteKeys } from '../site/site-keys.js';
import { signContentAccessToken } from '../content/access-token.js';
import { CONTENT_TOKEN_SECONDS } from '../content/file-access.js';
import { mustFindPackage } from '../content/find-package.js';
import { findVersion } from '../content/repository.js';
import { groupsContaining, loadLocationGroups } from './boundary-repository.js';
import { resolveContentLocations, type LocationResult } from './content-location.js';
import { onlineCandidateDps } from './dp-repository.js';
import { addressKey, formatAddress, parseAddress } from './ip-address.js';
import type { Queryable } from '../db/database.js';

/** Which package versions a device may download: those its deployments' programs name. */
export interface ContentEntitlement {
  versionIdsFor(deviceId: string): Promise<ReadonlySet<string>>;
}

/** The location algorithm over the database: which DPs a client at `addressText` may use. */
export async function locateContent(
  db: Queryable,
  opts: { addressText: string; versionId: string | undefined; now: Date },
): Promise<LocationResult & { clientAddress: string }> {
  const addr = parseAddress(opts.addressText);
  if (!addr)
    throw new InputError(ErrorCode.INVALID_ADDRESS, `"${opts.addressText}" is not an IP address`);
  const clientGroupIds = await groupsContaining(db, addressKey(addr.bytes));
  const [groups, candidates] = await Promise.all([
    loadLocationGroups(db, clientGroupIds),
    onlineCandidateDps(db, { now: opts.now, versionId: opts.versionId }),
  ]);
  return {
    clientAddress: formatAddress(addr),
    ...resolveContentLocations({ clientGroupIds, groups, candidates }),
  };
}

/**
 * Content locations for agents (`GET /agent/v1/content-locations`) with the access token DPs
 * accept, and the same answer for administrators troubleshooting an address.
 */
export class ContentLocationService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly keys: SiteKeys,
    private readonly entitlement: ContentEntitlement,
  ) {}

  /**
   * Refused (CONTENT_NOT_ENTITLED, 403) unless a deployment targeting the device needs the
   * version; the token then names that version, this site, and lives CONTENT_TOKEN_SECONDS.
   */
  async forDevice(
    deviceId: string,
    packageVersionId: string,
    remoteAddress: string,
  ): Promise<ContentLocations> {
    const db = this.ctx.db.kysely;
    const version = await findVersion(db, packageVersionId);
    if (!version)
      throw new NotFoundError(
        'package version',
        packageVersionId,
        ErrorCode.PACKAGE_VERSION_NOT_FOUND,
      );
    if (!(await this.entitlement.versionIdsFor(deviceId)).has(version.id))
      throw new NotAllowedError(
        `no deployment targeting this device needs package version "${packageVersionId}"`,
        ErrorCode.CONTENT_NOT_ENTITLED,
      );
    return this.issue(deviceId, version.id, remoteAddress);
  }

  /**
   * The same answer for a version the caller has already entitled the device to (an agent
   * version of its signed client-version target, ADR 0042): locations and a token naming it.
   */
  async forEntitledDevice(
    deviceId: string,
    packageVersionId: string,
    remoteAddress: string,
  ): Promise<ContentLocations> {
    return this.issue(deviceId, packageVersionId, remoteAddress);
  }

  private async issue(
    deviceId: string,
    versionId: string,
    remoteAddress: string,
  ): Promise<ContentLocations> {
    const db = this.ctx.db.kysely;
    const now = this.ctx.clock.now();
    const found = await locateContent(db, { addressText: remoteAddress, versionId, now });
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + CONTENT_TOKEN_SECONDS;
    return {
      packageVersionId: versionId,
      ...found,
      accessToken: signContentAccessToken(this.keys.policySigningKey, {
        deviceId,
        siteCode: this.keys.siteCode,
        site: this.keys.caFingerprint,
        packageVersionIds: [versionId],
        iat,
        exp,
      }),
      accessTokenExpiresAt: new Date(exp * 1000).toISOString(),
    };
  }

  /** Troubleshooting: no token; with a package, only DPs holding its current version. */
  async resolve(actor: Actor, ip: string, packageIdOrName?: string): Promise<ContentLocations> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    let versionId: string | undefined;
    if (packageIdOrName !== undefined) {
      const pkg = await mustFindPackage(db, packageIdOrName);
      // A package without content is held by no DP: an empty list says so.
      versionId = pkg.current_version_id ?? '';
    }
    const found = await locateContent(db, {
      addressText: ip,
      versionId,
      now: this.ctx.clock.now(),
    });
    return {
      packageVersionId: versionId ?? '',
      ...found,
      accessToken: '',
      accessTokenExpiresAt: '',
    };
  }
}
