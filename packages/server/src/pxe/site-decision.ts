import type { PxeDecisionRequest, PxeDecisionResponse } from '@steward/protocol';
import { isRecord } from '@steward/protocol';
import { nowIso, type SiteContext } from '../context.js';
import * as computers from '../boot-images/repository.js';
import {
  ALL_IMPORTED_COMPUTERS,
  ALL_UNKNOWN_COMPUTERS,
  unknownCollectionOfArch,
} from '../collections/builtin-osd.js';
import * as repo from '../task-sequences/deployment-repository.js';
import { raiseSiteStatus } from '../status/site-status.js';

/** Who a PXE-booting machine is, and the collections its deployments come through. */
interface Machine {
  kind: 'device' | 'imported computer' | 'unknown computer';
  id: string | null;
  /** Only known for an unknown computer whose boot environment registered once. */
  arch: string | null;
  collections: string[];
}

function instancesOf(data: unknown): Record<string, unknown>[] {
  const parsed: unknown = typeof data === 'string' ? JSON.parse(data) : data;
  return Array.isArray(parsed) ? parsed.filter(isRecord) : [];
}

/**
 * The PXE decision from the site's data (issue 11, ADR 0076): the machine is a known device (its
 * inventory's SMBIOS UUID or a network adapter's MAC), an imported computer, or an unknown
 * computer; its collections' enabled deployments made available to media and PXE that name a
 * built boot image are the candidates. A required one wins over an available one (the oldest
 * first); none means "boot to the next device".
 */
export class SitePxeDecisions {
  constructor(private readonly ctx: SiteContext) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  private async knownDevice(req: PxeDecisionRequest): Promise<string | undefined> {
    if (req.uuid) {
      const hits = await repo.devicesMentioning(this.db, 'systemIdentity', req.uuid);
      const hit = hits.find((h) => instancesOf(h.data).some((i) => i['uuid'] === req.uuid));
      if (hit) return hit.device_id;
    }
    const hits = await repo.devicesMentioning(this.db, 'networkAdapter', req.mac);
    return hits.find((h) =>
      instancesOf(h.data).some(
        (i) => typeof i['mac'] === 'string' && i['mac'].toLowerCase() === req.mac,
      ),
    )?.device_id;
  }

  private async identify(req: PxeDecisionRequest): Promise<Machine> {
    const deviceId = await this.knownDevice(req);
    if (deviceId)
      return {
        kind: 'device',
        id: deviceId,
        arch: null,
        collections: await repo.collectionsOfDevice(this.db, deviceId),
      };
    const imported = await computers.matchImportedComputer(this.db, req.uuid ?? null, [req.mac]);
    if (imported)
      return {
        kind: 'imported computer',
        id: imported.row.id,
        arch: null,
        collections: [ALL_IMPORTED_COMPUTERS],
      };
    const record = await computers.findUnknownByIdentity(this.db, req.uuid ?? `mac:${req.mac}`);
    const byArch = record ? unknownCollectionOfArch(record.arch) : undefined;
    return {
      kind: 'unknown computer',
      id: record?.id ?? null,
      arch: record?.arch ?? null,
      collections: [ALL_UNKNOWN_COMPUTERS, ...(byArch ? [byArch] : [])],
    };
  }

  async decide(req: PxeDecisionRequest): Promise<PxeDecisionResponse> {
    const machine = await this.identify(req);
    const candidates = (
      await repo.pxeCandidates(this.db, machine.collections, nowIso(this.ctx))
    ).filter((c) => machine.arch === null || c.boot_image_arch === machine.arch);
    const chosen =
      candidates.find((c) => c.purpose === 'required') ??
      candidates.find((c) => c.purpose === 'available');
    if (!chosen)
      return {
        action: 'exit',
        reason: `no PXE deployment for this ${machine.kind}`,
      };
    const required = chosen.purpose === 'required';
    await raiseSiteStatus(this.ctx, {
      message: 'TASK_SEQUENCE_PXE_DECIDED',
      insertionStrings: [
        req.uuid ?? req.mac,
        machine.kind,
        chosen.boot_image_name,
        chosen.name,
        chosen.purpose,
      ],
      attributes: {
        taskSequenceDeployment: chosen.id,
        mac: req.mac,
        ...(machine.id ? { computerId: machine.id } : {}),
      },
      ...(machine.kind === 'device' && machine.id ? { deviceId: machine.id } : {}),
    });
    return {
      action: 'boot',
      image: chosen.boot_image_name,
      arch: chosen.boot_image_arch,
      required,
      reason: `${chosen.purpose} deployment "${chosen.name}" (${machine.kind})`,
      deploymentId: chosen.id,
      // A required deployment boots without asking, so its password (if any) is not asked.
      passwordHash: required ? null : chosen.pxe_password,
    };
  }
}
