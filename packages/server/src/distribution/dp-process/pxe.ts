import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import {
  agentOps,
  DpPxeSettings,
  dpPxeDefaults,
  isRecord,
  PXE_DECISION_SETTLE_SECONDS,
} from '@steward/protocol';
import type { PxeActivity } from '../../pxe/activity.js';
import {
  normaliseMac,
  PxeDecisionTable,
  SettledDecisions,
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
  // iPXE asks for its script more than once per boot: the site answers once per settle time.
  const settled = new SettledDecisions(
    (client) =>
      site.call(agentOps.distributionPoint.pxeDecision, {
        body: { mac: client.mac, ...(client.uuid ? { uuid: client.uuid } : {}) },
      }),
    PXE_DECISION_SETTLE_SECONDS * 1000,
  );
  return new SiteDecider(
    (client) => settled.decide(client),
    table,
    (err) => log.warn({ err }, 'the site did not answer a PXE decision; the DP table answers'),
  );
}

/**
 * The UDP ports of the PXE listeners when not PXE's own (67, 4011, 69): STEWARD_DP_PXE_PORTS
 * `dhcp,proxy,tftp`, for tests beside other PXE servers on one machine (ADR 0079).
 */
export interface DpPxePorts {
  dhcp: number;
  proxy: number;
  tftp: number;
}

export function pxePortsFromEnv(value: string | undefined): DpPxePorts | undefined {
  if (!value) return undefined;
  const [dhcp, proxy, tftp] = value.split(',').map(Number);
  const ok = (n: number | undefined): n is number =>
    n !== undefined && Number.isInteger(n) && n >= 0 && n <= 65535;
  if (!ok(dhcp) || !ok(proxy) || !ok(tftp))
    throw new Error(`STEWARD_DP_PXE_PORTS must be dhcp,proxy,tftp port numbers, not "${value}"`);
  return { dhcp, proxy, tftp };
}

/** Starts the PXE responder for enabled settings; every request it sees goes to the DP log. */
export async function startDpPxe(
  settings: DpPxeSettings,
  dataDir: string,
  log: Logger,
  extra: {
    ports?: DpPxePorts | undefined;
    /** The site, asked for each machine's decision from its PXE deployments (ADR 0076). */
    site?: SiteClient | undefined;
    /** Wraps the decider (the boundary check of the site's settings). */
    wrap?: ((decider: PxeDecider) => PxeDecider) | undefined;
    onActivity?: ((entry: PxeActivity) => void) | undefined;
    /** The DP-wide PXE password's hash (site settings): asked before any boot. */
    passwordHash?: string | null | undefined;
  } = {},
): Promise<RunningPxe | undefined> {
  if (!settings.enabled) return undefined;
  const tftpRoot = join(dataDir, 'tftp');
  prepareTftpRoot(settings.firstStageDir, tftpRoot);
  const macs = new Set(settings.machines.flatMap((m) => (m.mac ? [normaliseMac(m.mac)] : [])));
  const uuids = new Set(settings.machines.flatMap((m) => (m.uuid ? [m.uuid.toLowerCase()] : [])));
  const decider = deciderOf(settings, log, extra.site);
  const pxe = await startPxeServices({
    serverAddress: settings.serverAddress,
    tftpRoot,
    httpPort: settings.httpPort,
    ports: extra.ports,
    bios: settings.answerBios,
    uefi: settings.answerUefi,
    responseDelaySeconds: settings.responseDelaySeconds,
    respondToUnknown: settings.respondToUnknown,
    isKnown: (mac, uuid) =>
      macs.has(mac) || (uuid !== undefined && uuids.has(uuid)) || settings.bootImage !== null,
    decider: extra.wrap ? extra.wrap(decider) : decider,
    images: { files: (name) => settings.images[name] },
    passwordHash: extra.passwordHash ?? null,
    onActivity: (entry) => {
      log.info({ pxe: entry }, 'pxe request');
      extra.onActivity?.(entry);
    },
  });
  log.info({ ports: pxe.ports, serverAddress: settings.serverAddress }, 'PXE responder listening');
  return pxe;
}
