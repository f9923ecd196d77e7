import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import { agentOps, DpPxeSettings, dpPxeDefaults, isRecord } from '@steward/protocol';
import {
  normaliseMac,
  PxeDecisionTable,
  SiteDecider,
  type PxeDecider,
} from '../../pxe/boot-decision.js';
import type { SiteClient } from './site-client.js';
import { prepareTftpRoot, startPxeServices, type RunningPxe } from '../../pxe/pxe-services.js';

/**
 * The DP's PXE settings, `<data>/pxe.json` (ADR 0068): undefined when the file is absent; a file
 * that does not match the declared schema (protocol DpPxeSettings) stops the start with the
 * reason, as a damaged dp.json does, rather than serving PXE half-configured.
 */
export function loadPxeSettings(dataDir: string): DpPxeSettings | undefined {
  const path = join(dataDir, 'pxe.json');
  if (!existsSync(path)) return undefined;
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(raw)) throw new Error(`${path} is not valid PXE settings: not a JSON object`);
  // What the file leaves out takes the declared default; unknown keys fail the check below.
  const parsed: unknown = { ...dpPxeDefaults(), ...raw };
  if (!Value.Check(DpPxeSettings, parsed)) {
    const first = Value.Errors(DpPxeSettings, parsed).First();
    throw new Error(
      `${path} is not valid PXE settings${first ? `: ${first.path || '/'} ${first.message}` : ''}`,
    );
  }
  return parsed;
}

/** The site's answer from PXE deployments (ADR 0076), the DP's table when it has none. */
export function deciderOf(
  settings: DpPxeSettings,
  log: Logger,
  site: SiteClient | undefined,
): PxeDecider {
  const table = new PxeDecisionTable(settings.machines, settings.bootImage ?? undefined);
  if (!site) return table;
  return new SiteDecider(
    (client) =>
      site.call(agentOps.distributionPoint.pxeDecision, {
        body: { mac: client.mac, ...(client.uuid ? { uuid: client.uuid } : {}) },
      }),
    table,
    (err) => log.warn({ err }, 'the site did not answer a PXE decision; the DP table answers'),
  );
}

/** Starts the PXE responder for enabled settings; every request it sees goes to the DP log. */
export async function startDpPxe(
  settings: DpPxeSettings,
  dataDir: string,
  log: Logger,
  site?: SiteClient,
): Promise<RunningPxe | undefined> {
  if (!settings.enabled) return undefined;
  const tftpRoot = join(dataDir, 'tftp');
  prepareTftpRoot(settings.firstStageDir, tftpRoot);
  const macs = new Set(settings.machines.flatMap((m) => (m.mac ? [normaliseMac(m.mac)] : [])));
  const uuids = new Set(settings.machines.flatMap((m) => (m.uuid ? [m.uuid.toLowerCase()] : [])));
  const pxe = await startPxeServices({
    serverAddress: settings.serverAddress,
    tftpRoot,
    httpPort: settings.httpPort,
    bios: settings.answerBios,
    uefi: settings.answerUefi,
    responseDelaySeconds: settings.responseDelaySeconds,
    respondToUnknown: settings.respondToUnknown,
    isKnown: (mac, uuid) =>
      macs.has(mac) || (uuid !== undefined && uuids.has(uuid)) || settings.bootImage !== null,
    decider: deciderOf(settings, log, site),
    images: { files: (name) => settings.images[name] },
    onActivity: (entry) => log.info({ pxe: entry }, 'pxe request'),
  });
  log.info({ ports: pxe.ports, serverAddress: settings.serverAddress }, 'PXE responder listening');
  return pxe;
}
