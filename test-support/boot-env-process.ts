import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClient } from '@steward/protocol';
import { decodeEnrolmentToken, fetchPinnedCa } from '@steward/protocol/node';
import { STEWARD_AGENT, exec } from './site.js';

/** The hardware a boot environment reads from its sysfs: an SMBIOS UUID (or none) and MACs. */
export interface BootMachine {
  smbiosUuid: string | null;
  macs: string[];
}

/** A sysfs tree holding just what `identifyMachine` reads of this machine. */
export function machineSys(dir: string, m: BootMachine): string {
  const sys = mkdtempSync(join(dir, 'sys-'));
  const dmi = join(sys, 'class/dmi/id');
  mkdirSync(dmi, { recursive: true });
  if (m.smbiosUuid) writeFileSync(join(dmi, 'product_uuid'), `${m.smbiosUuid}\n`);
  m.macs.forEach((mac, i) => {
    const link = join(sys, 'class/net', `eth${String(i)}`);
    mkdirSync(link, { recursive: true });
    writeFileSync(join(link, 'type'), '1\n');
    writeFileSync(join(link, 'address'), `${mac}\n`);
  });
  return sys;
}

/** The site CA, pinned by the fingerprint an enrolment token carries (what an image holds). */
export async function siteCaPem(api: ApiClient): Promise<string> {
  const token = await api.createToken({ description: 'boot environment CA', maxUses: 1 });
  const decoded = decodeEnrolmentToken(token.token ?? '');
  if (!decoded.ok) throw new Error(decoded.error);
  return fetchPinnedCa(decoded.value.url, decoded.value.caFingerprint);
}

/**
 * The real boot stage of one machine: `steward-agent boot-env` registers it, asks for its task
 * sequence and runs it, sending every engine message to the site. Resolves when it exits.
 */
export function runBootEnv(a: {
  siteUrl: string;
  caPem: string;
  bootKey: string;
  dir: string;
  machine: BootMachine;
}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(a.dir, 'boot-env-'));
  const config = join(dir, 'boot.json');
  writeFileSync(
    config,
    JSON.stringify({
      bootImageId: 'test-image',
      name: 'osd-test',
      version: 1,
      siteUrl: a.siteUrl,
      caPem: a.caPem,
      bootKey: a.bootKey,
    }),
  );
  return exec(STEWARD_AGENT, [
    'boot-env',
    '--config',
    config,
    '--sys',
    machineSys(dir, a.machine),
    '--state-dir',
    join(dir, 'state'),
    '--target',
    join(dir, 'target'),
    '--json',
  ]);
}
