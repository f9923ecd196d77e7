import { InputError, NotAllowedError, NotFoundError, ErrorCode } from '@steward/protocol';
import type { ContentLocations } from '@steward/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables/index.js';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import type { SiteKeys } from '../site/site-keys.js';
import { signContentAccessToken } from '../content/access-token.js';
import { CONTENT_TOKEN_SECONDS } from '../content/file-access.js';
import { mustFindPackage } from '../content/find-package.js';
import { findVersion } from './content-status-repository.js';
import { groupsContaining } from './boundary-repository.js';
import {
  resolveContentLocations,
  type CandidateDp,
  type LocationGroup,
  type LocationResult,
} from './content-location.js';
import { onlineSince } from './dp-state.js';
import { addressKey, formatAddress, parseAddress } from './ip-address.js';

type Tx = Kysely<Database>;

/** Which package versions a device may download: those its deployments' programs name. */
export interface ContentEntitlement {
  versionIdsFor(deviceId: string): Promise<ReadonlySet<string>>;
}

async function loadGroups(db: Tx, clientGroupIds: readonly string[]) {
  const groups = new Map<string, LocationGroup>();
  if (clientGroupIds.length === 0) return groups;
  const links = await db
    .selectFrom('boundary_group_neighbour')
    .selectAll()
    .where('group_id', 'in', clientGroupIds)
    .execute();
  const ids = [...new Set([...clientGroupIds, ...links.map((l) => l.neighbour_id)])];
  const [rows, dps] = await Promise.all([
    db.selectFrom('boundary_group').select(['id', 'slow']).where('id', 'in', ids).execute(),
    db.selectFrom('boundary_group_dp').selectAll().where('group_id', 'in', ids).execute(),
  ]);
  for (const r of rows)
    groups.set(r.id, {
      id: r.id,
      slow: r.slow === 1,
      dpIds: dps.filter((d) => d.group_id === r.id).map((d) => d.dp_id),
      neighbours: links
        .filter((l) => l.group_id === r.id)
        .map((l) => ({
          boundaryGroupId: l.neighbour_id,
          fallbackAfterMinutes: l.fallback_after_minutes,
        })),
    });
  return groups;
}

/** Online DPs with a URL; with a version, only those holding it completely. */
async function loadCandidates(
  db: Tx,
  now: Date,
  versionId: string | undefined,
): Promise<CandidateDp[]> {
  let q = db
    .selectFrom('distribution_point as d')
    .select(['d.id', 'd.name', 'd.url', 'd.protected', 'd.is_site_server'])
    .where('d.url', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('d.is_site_server', '=', 1),
        eb.and([
          eb('d.registered_at', 'is not', null),
          eb('d.last_seen_at', '>=', onlineSince(now)),
        ]),
      ]),
    );
  if (versionId !== undefined)
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('dp_package as t')
          .select('t.dp_id')
          .whereRef('t.dp_id', '=', 'd.id')
          .where('t.installed_version_id', '=', versionId),
      ),
    );
  const rows = await q.execute();
  return rows.flatMap((r) =>
    r.url === null
      ? []
      : [
          {
            id: r.id,
            name: r.name,
            url: r.url,
            protected: r.protected === 1,
            isSiteServer: r.is_site_server === 1,
          },
        ],
  );
}

/** The location algorithm over the database: which DPs a client at `addressText` may use. */
export async function locateContent(
  db: Tx,
  opts: { addressText: string; versionId: string | undefined; now: Date },
): Promise<LocationResult & { clientAddress: string }> {
  const addr = parseAddress(opts.addressText);
  if (!addr)
    throw new InputError(ErrorCode.INVALID_ADDRESS, `"${opts.addressText}" is not an IP address`);
  const clientGroupIds = await groupsContaining(db, addressKey(addr.bytes));
  const [groups, candidates] = await Promise.all([
    loadGroups(db, clientGroupIds),
    loadCandidates(db, opts.now, opts.versionId),
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
    const now = this.ctx.clock.now();
    const found = await locateContent(db, {
      addressText: remoteAddress,
      versionId: version.id,
      now,
    });
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + CONTENT_TOKEN_SECONDS;
    return {
      packageVersionId: version.id,
      ...found,
      accessToken: signContentAccessToken(this.keys.policySigningKey, {
        deviceId,
        siteCode: this.keys.siteCode,
        site: this.keys.caFingerprint,
        packageVersionIds: [version.id],
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
