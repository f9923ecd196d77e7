/**
 * Software distribution on top of the real-process harness (site.ts): packages built from shell
 * scripts and uploaded hash-first through the API, `steward server --roles dp` processes,
 * programs and deployments, and waits on a device's deployment state. Every wait polls an
 * observable state (the API, a file), never a fixed sleep.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ApiClient,
  Deployment,
  DeploymentBody,
  DeploymentDeviceState,
  DeploymentStateName,
  ManifestEntry,
  PackageVersion,
  Program,
  ProgramBody,
  StatusMessage,
} from '@steward/protocol';
import { startServerProcess, waitFor, type ServerHandle, type Site } from './site.js';

export const sha256Hex = (data: Buffer | string): string =>
  createHash('sha256').update(data).digest('hex');

export interface PackageFile {
  path: string;
  content: Buffer | string;
  /** Default 0o755 for `*.sh`, 0o644 otherwise. */
  mode?: number;
}

export interface CreatedPackage {
  name: string;
  version: PackageVersion;
  files: ManifestEntry[];
  /** How many files crossed the wire (the others were already in the library). */
  uploaded: number;
}

/**
 * Creates a package (when `name` is new) and a content version from in-memory files, hash-first
 * as the CLI does: ask which hashes the library lacks, upload only those, then post the manifest.
 */
export async function createPackageFromFiles(
  api: ApiClient,
  name: string,
  files: PackageFile[],
): Promise<CreatedPackage> {
  const exists = (await api.listPackages({ search: name })).some((p) => p.name === name);
  if (!exists) await api.createPackage({ name });
  const entries = files.map((f) => {
    const bytes = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
    const entry: ManifestEntry = {
      path: f.path,
      sha256: sha256Hex(bytes),
      size: bytes.length,
      mode: f.mode ?? (f.path.endsWith('.sh') ? 0o755 : 0o644),
    };
    return { entry, bytes };
  });
  const { missing } = await api.missingContent([...new Set(entries.map((e) => e.entry.sha256))]);
  const todo = new Set(missing);
  for (const { entry, bytes } of entries) {
    if (!todo.delete(entry.sha256)) continue;
    await api.uploadContentFile(entry.sha256, bytes);
  }
  const files_ = entries.map((e) => e.entry);
  const version = await api.createVersionFromFiles(name, files_);
  return { name, version, files: files_, uploaded: missing.length };
}

/** A POSIX shell script: `set -e`, then `body`. */
export function shellScript(body: string): string {
  return `#!/bin/sh\nset -e\n${body}\n`;
}

/** A package holding one `install.sh` and a program running it with `sh install.sh`. */
export async function createScriptProgram(
  api: ApiClient,
  opts: {
    packageName: string;
    script: string;
    extraFiles?: PackageFile[];
    program?: Partial<ProgramBody>;
  },
): Promise<{ pkg: CreatedPackage; program: Program }> {
  const pkg = await createPackageFromFiles(api, opts.packageName, [
    { path: 'install.sh', content: opts.script },
    ...(opts.extraFiles ?? []),
  ]);
  const program = await api.createProgram(opts.packageName, {
    name: 'Install',
    commandLine: 'sh install.sh',
    maxRunMinutes: 5,
    ...opts.program,
  });
  return { pkg, program };
}

export interface DpHandle {
  id: string;
  name: string;
  dataDir: string;
  server: ServerHandle;
  /** Where the DP stores a content file (to damage it in tests). */
  storedPath(sha256: string): string;
  /** Stops the process (SIGTERM by default; SIGKILL for "the DP goes away"). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same data directory and port (dp.json is reused). */
  restart(env?: NodeJS.ProcessEnv): Promise<void>;
}

/**
 * Creates a distribution point on the site and starts a real `steward server --roles dp`
 * process for it (polling every second), then waits until the site sees it online.
 */
export async function startDp(
  site: Site,
  name: string,
  opts: { env?: NodeJS.ProcessEnv; protected?: boolean } = {},
): Promise<DpHandle> {
  const reg = await site.api.createDistributionPoint({
    name,
    ...(opts.protected === undefined ? {} : { protected: opts.protected }),
  });
  const dataDir = join(site.dir, `dp-${name}`);
  const launch = (env: NodeJS.ProcessEnv, agentListen?: string) =>
    startServerProcess({
      dataDir,
      password: 'unused',
      roles: 'dp',
      env: { STEWARD_DP_POLL_SECONDS: '1', ...opts.env, ...env },
      ...(agentListen ? { agentListen } : {}),
    });
  let server = await launch({ STEWARD_DP_TOKEN: reg.registrationToken });
  const id = reg.distributionPoint.id;
  await waitFor(
    `DP ${name} online`,
    async () => (await site.api.getDistributionPoint(id)).state === 'online',
  );
  const handle: DpHandle = {
    id,
    name,
    dataDir,
    get server() {
      return server;
    },
    storedPath: (sha) => join(dataDir, 'content', 'sha256', sha.slice(0, 2), sha),
    stop: (signal) => server.stop(signal),
    async restart(env) {
      const listen = new URL(server.agentUrl).host;
      await server.stop();
      server = await launch(env ?? {}, listen);
    },
  };
  return handle;
}

/** Distributes a package to DPs (ids or names) and waits until each reports it installed. */
export async function distributeAndWait(
  api: ApiClient,
  packageName: string,
  dpIds: string[],
  timeoutMs = 60_000,
): Promise<void> {
  await api.distributePackage(packageName, { dpIds });
  await waitFor(
    `package ${packageName} installed on ${dpIds.join(', ')}`,
    async () => {
      const status = await api.packageContentStatus(packageName);
      return dpIds.every((dp) =>
        status.distributionPoints.some(
          (d) => (d.dpId === dp || d.dpName === dp) && d.state === 'installed',
        ),
      );
    },
    timeoutMs,
    200,
  );
}

/** A required deployment to run as soon as possible (to All Systems unless said otherwise). */
export function deployRequiredAsap(
  api: ApiClient,
  programId: string,
  overrides: Partial<DeploymentBody> = {},
): Promise<Deployment> {
  return api.createDeployment({
    programId,
    collectionId: 'all-systems',
    purpose: 'required',
    triggers: [{ type: 'asap' }],
    ...overrides,
  });
}

/** The device's row for one deployment, as the monitoring drill-down shows it. */
export async function deviceState(
  api: ApiClient,
  deploymentId: string,
  deviceId: string,
): Promise<DeploymentDeviceState | undefined> {
  return (await api.deviceDeployments(deviceId)).find((d) => d.deploymentId === deploymentId);
}

/**
 * Waits until the device's state for the deployment matches: a state name (or several), or a
 * predicate over the row. The last row seen is in the timeout error.
 */
export async function waitForDeviceState(
  api: ApiClient,
  deploymentId: string,
  deviceId: string,
  want:
    | DeploymentStateName
    | readonly DeploymentStateName[]
    | ((row: DeploymentDeviceState) => boolean),
  timeoutMs = 60_000,
): Promise<DeploymentDeviceState> {
  let last: DeploymentDeviceState | undefined;
  const matches = (row: DeploymentDeviceState): boolean => {
    if (typeof want === 'function') return want(row);
    if (typeof want === 'string') return row.state === want;
    return want.includes(row.state);
  };
  try {
    return await waitFor(
      `deployment ${deploymentId} on device ${deviceId}`,
      async () => {
        last = await deviceState(api, deploymentId, deviceId);
        return last !== undefined && matches(last) && last;
      },
      timeoutMs,
      150,
    );
  } catch (err) {
    throw new Error(`${String(err)}; last row: ${JSON.stringify(last)}`);
  }
}

/** Status messages one device raised for one deployment (by its `deploymentId` attribute). */
export async function deploymentMessages(
  api: ApiClient,
  deviceId: string,
  deploymentId: string,
  messageId: number,
): Promise<StatusMessage[]> {
  const page = await api.listStatusMessages({ deviceId, messageId, limit: 1000 });
  return page.items.filter((m) => m.attributes['deploymentId'] === deploymentId);
}

/** Reads a file's text, or undefined when it does not exist (marker files of test programs). */
export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** A live process (a zombie waiting to be reaped counts as gone: it runs nothing any more). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}
