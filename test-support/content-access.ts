/**
 * Content access over real processes (issue 7): a device's credentials, the content locations
 * and token it is given, file downloads with that token, and a deployment targeting one device.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { agentOps, DEVICE_AUTH_HEADER, pathOf, requestOf, type ApiClient } from '@steward/protocol';
import { waitFor, type AgentHandle } from './site.js';

export interface Fetched {
  status: number;
  body: Buffer;
}

export function httpsGet(
  url: string,
  opts: { ca: string; headers?: Record<string, string> },
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: opts.ca, headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The error code of a refusal (or '' for a body that is not a JSON error). */
export function codeOf(r: Fetched): string {
  try {
    const body: unknown = JSON.parse(r.body.toString());
    return typeof body === 'object' &&
      body !== null &&
      'code' in body &&
      typeof body.code === 'string'
      ? body.code
      : '';
  } catch {
    return '';
  }
}

export interface DeviceCredentials {
  deviceId: string;
  deviceKey: string;
  caPem: string;
}

export function deviceCredentials(agent: AgentHandle): DeviceCredentials {
  return JSON.parse(readFileSync(join(agent.stateDir, 'device.json'), 'utf8')) as DeviceCredentials;
}

/** `GET /agent/v1/content-locations` as the device. */
export function askLocations(
  agentUrl: string,
  device: DeviceCredentials,
  packageVersionId: string,
): Promise<Fetched> {
  return httpsGet(
    `${agentUrl}${requestOf(agentOps.distribution.contentLocations, { query: { packageVersionId } }).path}`,
    {
      ca: device.caPem,
      headers: { [DEVICE_AUTH_HEADER]: `${device.deviceId}.${device.deviceKey}` },
    },
  );
}

/** `GET /content/v1/files/:sha256` from a DP (or the site server) with a content access token. */
export function getFile(
  baseUrl: string,
  device: DeviceCredentials,
  sha256: string,
  accessToken: string,
): Promise<Fetched> {
  return httpsGet(`${baseUrl}${pathOf(agentOps.content.file, { sha256 })}`, {
    ca: device.caPem,
    headers: { authorization: `Bearer ${accessToken}` },
  });
}

/**
 * A program of the package and a deployment of it to a collection holding only this device
 * (scheduled far ahead, so no agent runs it); resolves once the device is a member.
 */
export async function deployToDevice(
  api: ApiClient,
  packageName: string,
  deviceId: string,
): Promise<void> {
  const program = await api.createProgram(packageName, {
    name: `install ${packageName}`,
    commandLine: 'true',
  });
  const collection = await api.createCollection({
    name: `only ${deviceId}`,
    rules: [{ kind: 'direct', deviceId }],
  });
  await waitFor('the device in its collection', async () =>
    (await api.collectionMembers(collection.id)).items.some((d) => d.id === deviceId),
  );
  await api.createDeployment({
    programId: program.id,
    collectionId: collection.id,
    purpose: 'required',
    triggers: [{ type: 'at', start: '2099-01-01T00:00' }],
  });
}
