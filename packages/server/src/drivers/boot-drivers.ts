import type {
  BootDriverContent,
  BootDriversRequest,
  BootDriversResponse,
  ContentLocations,
} from '@steward/protocol';
import type { Queryable } from '../db/database.js';
import { matchModaliases } from './modinfo.js';
import * as repo from './repository.js';

/**
 * The driver packages an apply-drivers step of a boot environment applies (issue 11 gap 2):
 * `auto` matches the machine's modaliases against every enabled driver's alias patterns (fnmatch,
 * as `DriverService.forDevice` and kmod do); `chosen` takes the step's drivers as named. Only
 * enabled drivers are served, each with the DPs holding its content package and a content token
 * for it (`locate`); a chosen or matched driver the site cannot serve is refused with why, so the
 * step fails naming it instead of applying part of what it should.
 */
export async function bootDrivers(
  db: Queryable,
  req: BootDriversRequest,
  locate: (packageVersionId: string) => Promise<ContentLocations>,
): Promise<BootDriversResponse> {
  const refused: BootDriversResponse['refused'] = [];
  const picked: { row: repo.DriverRow; matched: string[] }[] = [];
  if (req.mode === 'chosen') {
    for (const id of new Set(req.driverIds)) {
      const row = await repo.findDriver(db, id);
      if (!row) refused.push({ driverId: id, reason: 'not in the driver catalog' });
      else if (row.enabled !== 1)
        refused.push({ driverId: row.id, reason: `${row.package} ${row.version} is disabled` });
      else picked.push({ row, matched: [] });
    }
  } else {
    // Per driver, the machine's modaliases any of its aliases matched.
    const matched = new Map<string, Set<string>>();
    const byModalias = matchModaliases(await repo.enabledAliases(db), req.modaliases);
    for (const [modalias, aliases] of byModalias)
      for (const a of aliases)
        matched.set(a.driver_id, (matched.get(a.driver_id) ?? new Set<string>()).add(modalias));
    for (const [id, modaliases] of matched) {
      const row = await repo.findDriver(db, id);
      if (row) picked.push({ row, matched: [...modaliases].sort() });
    }
  }
  const drivers: BootDriverContent[] = [];
  for (const { row, matched } of picked) {
    if (row.package_version_id === null) {
      refused.push({
        driverId: row.id,
        reason: `${row.package} ${row.version} has no content package (imported before drivers were served to DPs: import it again)`,
      });
      continue;
    }
    const located = await locate(row.package_version_id);
    drivers.push({
      driverId: row.id,
      package: row.package,
      version: row.version,
      sha256: row.sha256,
      size: Number(row.size),
      matched,
      packageVersionId: row.package_version_id,
      locations: located.locations,
      accessToken: located.accessToken,
      accessTokenExpiresAt: located.accessTokenExpiresAt,
    });
  }
  return { drivers, refused };
}
