import { mkdir, rename } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  agentOps,
  checkAnswer,
  pathOf,
  type Operation,
  type OsImageFileSystem,
  type OsImageManifest,
  type ResultOf,
  StatusMessages,
  type BootDriversResponse,
  type BootOsImageContent,
  type BootTaskSequence,
} from '@steward/protocol';
import { downloadFile, openContentStream } from '../software/content/dp-download.js';
import { openMulticastStream } from '../software/content/multicast-download.js';
import type { AgentInstallKit, BootEnvHost } from './host.js';
import { appliedLine, type ArchiveSource } from './image-stream.js';
import type { Firmware } from './layout.js';

export interface SiteHostOptions {
  /** The site's answer to the boot environment's task-sequence request (ADR 0085). */
  answer: BootTaskSequence;
  /** The site's agent URL (captures are uploaded there, ADR 0094). */
  siteUrl: string;
  /** The site CA the boot image pins: DPs' certificates are issued by it. */
  caPem: string;
  targetDir: string;
  /** Scratch space for downloads and captures (RAM in the default boot image). */
  workDir: string;
  sys?: string | undefined;
  firmware: Firmware;
  modaliases: readonly string[];
  /** The agent installer folder in the boot image, when it carries one. */
  installerDir?: string | undefined;
  /**
   * Asks the site for an apply-drivers step's driver packages (`agentOps.bootEnvironment.drivers`
   * with the boot key and the computer's registration): matched or chosen, with their DPs.
   */
  drivers?: (
    request: Parameters<NonNullable<BootEnvHost['driverPackages']>>[0],
    signal: AbortSignal,
  ) => Promise<BootDriversResponse>;
  log: (line: string) => void;
  /** Sends a status message of the boot environment to the site (never throws). */
  status?: (messageId: number, insertionStrings: string[]) => void;
}

/** What one download needs: the DPs holding the package and a content token for it. */
interface DpContent {
  locations: BootOsImageContent['locations'];
  accessToken: string;
}

/**
 * Where one archive of an OS image can come from, best first (issue 11, ADR 0088): the best
 * DP's multicast session (the DP refuses when multicast is off, the session already sends or
 * every slot is taken: the next source), then each DP by HTTP. The apply step streams the
 * first that opens into tar and verifies the SHA-256 and size on the way; a DP that fails or
 * delivers other bytes is passed over for the next one.
 */
function archiveSources(
  agent: Agent,
  content: BootOsImageContent,
  fs: OsImageFileSystem,
  log: (line: string) => void,
): ArchiveSource[] {
  const file = {
    agent,
    accessToken: content.accessToken,
    sha256: fs.sha256,
    size: fs.archiveBytes,
  };
  const [best] = content.locations;
  const multicast: ArchiveSource[] = best
    ? [
        {
          method: 'multicast',
          open: async (signal) => {
            const m = await openMulticastStream({ ...file, baseUrl: best.url, signal });
            if (m.kind === 'unavailable') return { unavailable: m.reason };
            log(`steward-boot: ${fs.archive}: multicast session ${m.sessionId} of ${best.name}\n`);
            return { ...m, detail: `from ${best.name} (session ${m.sessionId})` };
          },
        },
      ]
    : [];
  return [
    ...multicast,
    ...content.locations.map((loc): ArchiveSource => ({
      method: 'http',
      open: async (signal) => ({
        stream: await openContentStream({ ...file, baseUrl: loc.url, signal }),
        detail: `from ${loc.name}`,
      }),
    })),
  ];
}

/**
 * Downloads one file from the first DP of the list that delivers it with the right SHA-256
 * and size (downloadFile verifies while streaming and deletes a file that does not match);
 * a DP that fails or delivers other bytes is passed over for the next one. `what` names the
 * file in the log and in the error (`root.tar.zst of OS image X`, `driver e1000e 3.8`).
 */
async function fetchFromDps(
  agent: Agent,
  content: DpContent,
  file: { sha256: string; size: number; dest: string; what: string; missing: string },
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const partial = `${file.dest}.partial`;
  const reasons: string[] = [];
  for (const loc of content.locations) {
    const r = await downloadFile({
      agent,
      baseUrl: loc.url,
      accessToken: content.accessToken,
      sha256: file.sha256,
      size: file.size,
      partialPath: partial,
      signal,
    });
    if (r.kind === 'complete') {
      await rename(partial, file.dest);
      log(
        `steward-boot: ${file.what} from ${loc.name}: ${String(file.size)} bytes, SHA-256 verified\n`,
      );
      return;
    }
    const why = r.kind === 'hash-mismatch' ? 'its bytes did not match the SHA-256' : r.reason;
    reasons.push(`${loc.name}: ${why}`);
    if (r.kind === 'local-failure') break;
  }
  throw new Error(
    content.locations.length === 0
      ? `no distribution point holds ${file.missing} (distribute it first)`
      : `${file.what} could not be downloaded (${reasons.join('; ')})`,
  );
}

/**
 * One call with a run's token (ADR 0094) to the site, or with a record's token to a state
 * migration point (ADR 0096): the body is a stream (an archive as tar writes it, sent chunked)
 * or JSON; the answer is checked against the operation's schema.
 */
export function captureCall<O extends Operation>(
  o: { agent: Agent; siteUrl: string; token: string },
  op: O,
  body: Readable | string,
  signal: AbortSignal,
  path: string = op.path,
): Promise<ResultOf<O>> {
  const line = { path };
  const url = new URL(path, o.siteUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: op.method,
        agent: o.agent,
        signal,
        headers: {
          authorization: `Bearer ${o.token}`,
          'content-type':
            typeof body === 'string' ? 'application/json' : 'application/octet-stream',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            reject(
              new Error(
                `${line.path}: the site refused (${String(status)}): ${text.slice(0, 500)}`,
              ),
            );
            return;
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            reject(new Error(`${line.path}: the site's answer is not JSON`));
            return;
          }
          const checked = checkAnswer(op, parsed);
          if (checked.ok) resolve(checked.value);
          else reject(new Error(`${line.path}: ${checked.error}`));
        });
      },
    );
    req.on('error', reject);
    if (typeof body === 'string') req.end(body);
    else {
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    }
  });
}

/**
 * The boot-environment host over the site (ADR 0085): OS images come from the DPs the site
 * named, verified against the manifest's SHA-256 per archive; the enrolment token is the
 * single-use one the site issued for this run. The steps are the same as over media (ADR 0077).
 */
export function siteHost(o: SiteHostOptions): BootEnvHost {
  const agent = new Agent({ ca: o.caPem, keepAlive: true });
  const host: BootEnvHost = {
    targetDir: o.targetDir,
    ...(o.sys ? { sys: o.sys } : {}),
    firmware: o.firmware,
    modaliases: o.modaliases,
    workDir: o.workDir,
    openOsImage: (imageId) => {
      const content = o.answer.osImages.find((i) => i.imageId === imageId);
      if (!content)
        return Promise.reject(
          new Error(`the site sent no content location for OS image ${imageId}`),
        );
      if (content.locations.length === 0)
        return Promise.reject(
          new Error(`no distribution point holds OS image ${imageId} (distribute it first)`),
        );
      return Promise.resolve({
        manifest: content.manifest,
        sources: (fs) => archiveSources(agent, content, fs, o.log),
        report: (applied) => {
          o.log(`steward-boot: ${appliedLine(applied)}\n`);
          o.status?.(StatusMessages.OS_IMAGE_ARCHIVE_APPLIED.id, [
            `${content.manifest.name} (${imageId})`,
            applied.archive,
            String(applied.bytes),
            applied.method,
            applied.detail,
            applied.passedOver.length > 0 ? ` Passed over: ${applied.passedOver.join('; ')}` : '',
          ]);
        },
      });
    },
  };
  const askDrivers = o.drivers;
  if (askDrivers)
    host.driverPackages = async (request, signal) => {
      const answer = await askDrivers(request, signal);
      if (answer.refused.length > 0)
        throw new Error(
          `the site will not serve ${answer.refused.map((r) => `driver ${r.driverId} (${r.reason})`).join(', ')}`,
        );
      const dir = join(o.workDir, 'drivers');
      await mkdir(dir, { recursive: true });
      const debs: string[] = [];
      for (const d of answer.drivers) {
        const label = `driver ${d.package} ${d.version}`;
        if (d.matched.length > 0) o.log(`steward-boot: ${label} matches ${d.matched.join(' ')}\n`);
        const dest = join(dir, `${d.sha256}.deb`);
        const what = { sha256: d.sha256, size: d.size, dest, what: label, missing: label };
        await fetchFromDps(agent, d, what, o.log, signal);
        debs.push(dest);
      }
      return debs;
    };
  const captureToken = o.answer.captureToken;
  if (captureToken) {
    const c = { agent, siteUrl: o.siteUrl, token: captureToken };
    const ops = agentOps.bootEnvironment;
    host.captureSink = {
      archive: async (source, signal) => {
        const stored = await captureCall(c, ops.captureArchive, source, signal);
        o.log(
          `steward-boot: capture archive stored on the site: ${String(stored.size)} bytes, ${stored.sha256}\n`,
        );
        return stored;
      },
      record: async (manifest: OsImageManifest, signal) => {
        const r = await captureCall(c, ops.captureRecord, JSON.stringify({ manifest }), signal);
        o.log(
          `steward-boot: captured image recorded: ${r.name} version ${String(r.version)} (${r.imageId})\n`,
        );
        return r.imageId;
      },
    };
  }
  if (captureToken && captureToken !== '')
    host.userState = userStateCalls(agent, o.siteUrl, captureToken);
  const token = o.answer.enrolmentToken;
  if (token !== null && o.installerDir !== undefined) {
    const kit: AgentInstallKit = {
      installerDir: o.installerDir,
      token,
      nodeBinary: process.execPath,
    };
    host.agentInstallKit = () => Promise.resolve(kit);
  }
  return host;
}

/** The run's user-state calls with its token (ADR 0096); the site refuses them without the grant. */
export function userStateCalls(
  agent: Agent,
  siteUrl: string,
  token: string,
): NonNullable<BootEnvHost['userState']> {
  const c = { agent, siteUrl, token };
  const ops = agentOps.userStateRun;
  return {
    agent,
    capture: (signal) => captureCall(c, ops.capture, '{}', signal),
    captured: (id, stored, signal) =>
      captureCall(c, ops.captured, JSON.stringify(stored), signal, pathOf(ops.captured, { id })),
    restore: (signal) => captureCall(c, ops.restore, '{}', signal),
    restored: (id, signal) =>
      captureCall(c, ops.restored, '{}', signal, pathOf(ops.restored, { id })),
  };
}
