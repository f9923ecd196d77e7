import type { ApiClient, InstalledPackage, InventoryInstance } from '@steward/protocol';
import { decodeEnrolmentToken, packageSetHash } from '@steward/protocol/node';
import { fetchPinnedCa, SiteConnection, VirtualAgent } from '@steward/simulator';

/** A device to enrol with a hand-written inventory (class name -> instances). */
export interface InventoryDevice {
  hostname: string;
  classes: Record<string, InventoryInstance[]>;
  /** Installed packages, sent as the report's full package set (what update compliance reads). */
  packages?: InstalledPackage[];
}

/**
 * Enrols virtual devices (the simulator's agent, on loopback) and sends each one full inventory
 * report holding exactly the given classes: tests that need devices with different values (a
 * sort by serial number) without a real agent per device, which would all report this machine.
 */
export async function enrolInventoryDevices(
  api: ApiClient,
  devices: readonly InventoryDevice[],
): Promise<string[]> {
  const token = await api.createToken({
    description: 'inventory devices',
    maxUses: devices.length,
  });
  const decoded = decodeEnrolmentToken(token.token ?? '');
  if (!decoded.ok) throw new Error(`bad enrolment token: ${decoded.error}`);
  const caPem = await fetchPinnedCa(decoded.value.url, decoded.value.caFingerprint);
  const site = new SiteConnection(decoded.value.url, caPem, 4);
  const ids: string[] = [];
  for (const [i, d] of devices.entries()) {
    const agent = new VirtualAgent(i, d.hostname, site);
    await agent.enroll(decoded.value.secret, 'debian');
    const seq = agent.nextSeq(1);
    const body = {
      kind: 'full',
      collectedAt: new Date().toISOString(),
      classes: d.classes,
      ...(d.packages
        ? { packages: { kind: 'full', hash: packageSetHash(d.packages), items: d.packages } }
        : {}),
    };
    const json = JSON.stringify({ items: [{ seq, type: 'inventory:report', body }] });
    await agent.sendBatch(json, seq);
    ids.push(agent.deviceId);
  }
  return ids;
}
