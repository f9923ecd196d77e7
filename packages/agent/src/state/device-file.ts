import { mkdir } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import { DEVICE_AUTH_HEADER } from '@steward/protocol';
import { AgentError } from '../errors.js';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { statePaths } from './state-dir.js';

/** `<state-dir>/device.json`: the identity the site issued at enrolment. Mode 0600: it holds the key. */
export const DeviceFile = Type.Object({
  deviceId: Type.String({ minLength: 1 }),
  deviceKey: Type.String({ minLength: 1 }),
  /** Agent endpoint, e.g. https://site.example:8443 */
  url: Type.String({ pattern: '^https://' }),
  /** The pinned site CA (PEM); the only trust anchor for every connection. */
  caPem: Type.String({ minLength: 1 }),
  /** Ed25519 public key (SPKI PEM) that signs policy. */
  policySigningKey: Type.String({ minLength: 1 }),
  siteCode: Type.String(),
  enrolledAt: Type.String(),
});
export type DeviceFile = Static<typeof DeviceFile>;

export async function readDeviceFile(stateDir: string): Promise<DeviceFile | undefined> {
  const path = statePaths(stateDir).device;
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  return parseWith(DeviceFile, parseJsonText(text, path, 'STATE_CORRUPT'), path, 'STATE_CORRUPT');
}

/** Like readDeviceFile, but a missing file is the NOT_ENROLLED error. */
export async function requireDeviceFile(stateDir: string): Promise<DeviceFile> {
  const device = await readDeviceFile(stateDir);
  if (device === undefined) {
    throw new AgentError(
      'NOT_ENROLLED',
      `no enrolment in ${stateDir}; run "steward-agent enroll --token <token> --state-dir ${stateDir}" first`,
    );
  }
  return device;
}

export async function writeDeviceFile(stateDir: string, device: DeviceFile): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(statePaths(stateDir).device, JSON.stringify(device, null, 2) + '\n', {
    mode: 0o600,
  });
}

/** Header value sent on every request after enrolment. */
export function deviceAuthHeaders(device: DeviceFile): Record<string, string> {
  return { [DEVICE_AUTH_HEADER]: `${device.deviceId}.${device.deviceKey}` };
}
