/**
 * The /sys, /proc and /etc classes end to end: a real site server process, a real agent service
 * (which collects in its child process) reporting this machine, and collection queries over
 * what it reported. The site server's own listener is a port with a known process to look for.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusMessages } from '@steward/protocol';
import {
  createTestSite,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

describe.each(dialects)('/sys and /proc inventory classes through a site on %s', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  beforeAll(async () => {
    if (!skip) site = await createTestSite({ dialect, withEnrolledDevices: 1 });
  });
  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(skip)('reports them and answers queries over them', async () => {
    const id = site.devices[0]?.id ?? '';
    const detail = await site.api.getDevice(id);
    const serverPid = site.server.proc.child.pid;
    const agentPort = Number(new URL(site.agentUrl).port);
    expect(detail.inventory.listeningPort).toContainEqual(
      expect.objectContaining({ protocol: 'tcp', port: agentPort, pid: serverPid }),
    );
    expect(detail.inventory.localUser).toContainEqual(
      expect.objectContaining({ name: 'root', uid: 0, system: true }),
    );
    expect(detail.inventory.firmware).toHaveLength(1);
    expect(detail.inventory.systemIdentity).toHaveLength(1);
    expect((detail.inventory.storageDevice ?? []).length).toBeGreaterThan(0);

    const count = async (query: string) =>
      (await site.api.previewCollection({ rules: [{ kind: 'query', query }] })).count;
    expect(await count(`any(listeningPort, port = ${agentPort} and protocol = "tcp")`)).toBe(1);
    expect(await count(`any(listeningPort, port = ${agentPort} and pid = -1)`)).toBe(0);
    expect(await count('any(localUser, name = "root" and system = true and uid = 0)')).toBe(1);
    expect(await count('any(localGroup, name = "root" and gid = 0)')).toBe(1);
    expect(await count('any(storageDevice, sizeMb > 0)')).toBe(1);
    expect(await count('firmware.mode in ("uefi", "bios")')).toBe(1);

    // This VM exposes no SMBIOS: the agent said why, once, with its first (full) report.
    if (!existsSync('/sys/class/dmi/id')) {
      const partial = await waitFor('INVENTORY_CLASS_PARTIAL at the site', async () => {
        const page = await site.api.listStatusMessages({
          deviceId: id,
          messageId: StatusMessages.INVENTORY_CLASS_PARTIAL.id,
        });
        return page.items.length > 0 ? page.items : undefined;
      });
      expect(partial.map((m) => m.insertionStrings[0])).toContain('firmware');
    }
  });
});
