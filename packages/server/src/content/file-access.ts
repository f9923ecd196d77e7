import { NotAllowedError, ErrorCode } from '@steward/protocol';
import type { ContentAccessClaims } from '@steward/protocol';
import { isEnrolledDevice } from '../devices/repository.js';
import { versionsHoldFile } from './repository.js';
import type { Queryable } from '../db/database.js';

/**
 * Content access tokens live 10 minutes (issue 7, finding 6). DPs verify them offline, so this
 * is how long a revoked device, or one no longer targeted, can keep downloading from a DP the
 * files of the versions its last token named; the site server checks revocation on every file.
 */
export const CONTENT_TOKEN_SECONDS = 600;

/** Decides whether the holder of valid claims may have one file; throws CONTENT_ACCESS_DENIED. */
export type FileAccessCheck = (claims: ContentAccessClaims, sha256: string) => Promise<void>;

export function contentAccessDenied(why: string): NotAllowedError {
  return new NotAllowedError(why, ErrorCode.CONTENT_ACCESS_DENIED);
}

/** The token must be this site's: its code and its CA (a signature alone says which key, not which site). */
export function checkTokenSite(
  claims: ContentAccessClaims,
  site: { siteCode: string; caFingerprint: string },
): void {
  if (claims.site !== site.caFingerprint || claims.siteCode !== site.siteCode)
    throw contentAccessDenied(
      `the content access token is for site ${claims.siteCode}, not ${site.siteCode}`,
    );
}

function notInVersions(sha256: string): NotAllowedError {
  return contentAccessDenied(
    `file ${sha256} is not part of the package versions this content access token names`,
  );
}

/**
 * The site server's check: this site, a device that is still enrolled and not revoked (so
 * revocation takes effect at once here), and a file of one of the token's package versions.
 */
export function siteFileAccess(
  db: Queryable,
  site: { siteCode: string; caFingerprint: string },
): FileAccessCheck {
  return async (claims, sha256) => {
    checkTokenSite(claims, site);
    if (!(await isEnrolledDevice(db, claims.deviceId)))
      throw contentAccessDenied('the device of this content access token is revoked or unknown');
    if (!(await versionsHoldFile(db, { versionIds: claims.packageVersionIds, sha256 })))
      throw notInVersions(sha256);
  };
}

/**
 * A distribution point's check, offline: this site, and a file of one of the token's package
 * versions that the site assigned to this DP (`filesOf` answers from the last assignments).
 */
export function dpFileAccess(
  site: () => { siteCode: string; caFingerprint: string } | undefined,
  filesOf: (packageVersionId: string) => ReadonlySet<string> | undefined,
): FileAccessCheck {
  return async (claims, sha256) => {
    const s = site();
    if (!s) throw contentAccessDenied('this distribution point is not registered yet');
    checkTokenSite(claims, s);
    if (!claims.packageVersionIds.some((v) => filesOf(v)?.has(sha256) === true))
      throw notInVersions(sha256);
  };
}
