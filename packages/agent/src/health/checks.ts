import { execFile } from 'node:child_process';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ClientSettingsOptions,
  withSettingDefaults,
  type ClientCheckMode,
  type ClientCheckName,
  type ClientCheckResult,
  type ClientSettings,
} from '@steward/protocol';
import { errorMessage } from '../errors.js';
import { readInventoryState } from '../inventory/inventory-state.js';
import { readAgentState } from '../state/agent-state.js';
import { readFileIfExists } from '../state/atomic-file.js';
import { readDeviceFile } from '../state/device-file.js';
import { loadPolicy } from '../state/policy-file.js';
import { statePaths } from '../state/state-dir.js';
import { readHealthState, writeHealthState } from './health-state.js';

/** The systemd unit the .deb installs (packaging/steward-agent.service). */
export const SERVICE_UNIT = 'steward-agent.service';

/** What the checks need from where they run: the service process or `steward-agent check`. */
export interface CheckEnvironment {
  stateDir: string;
  settings: ClientSettings;
  now: () => Date;
  /** The outbox as the running process sees it. */
  outbox: { depth: number; firstSeq: number | undefined };
  /** The site's clock: the Date header of a fresh answer and the local time it arrived. */
  siteClock: () => Promise<{ siteMs: number; localMs: number } | undefined>;
  /** True inside `steward-agent run` (the agent process itself is then running). */
  inService: boolean;
  /** Whether a service process holds the state lock (for `steward-agent check`). */
  serviceRunning: () => Promise<boolean>;
  /** Remediations the service can do itself; undefined where it cannot (the command). */
  fetchPolicyNow?: () => Promise<void>;
  runInventoryNow?: () => Promise<void>;
  /** Runs a command (systemctl); tests replace it to fake a systemd. */
  run?: (cmd: string, args: string[]) => Promise<{ code: number; stdout: string }>;
  /** Whether systemd manages this machine (default: /run/systemd/system exists). */
  systemd?: boolean;
}

/** One check's finding before remediation, with how to repair it (when it can be). */
interface Finding {
  ok: boolean;
  detail: string;
  remedy?: () => Promise<string>;
}

function runCommand(cmd: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 127;
      resolve({ code, stdout: stdout.trim() });
    });
  });
}

const MIB = 1024 * 1024;

/** The client check settings with their defaults (policies signed before issue 9 lack them). */
export function checkSettings(s: ClientSettings) {
  return withSettingDefaults(ClientSettingsOptions, s);
}

async function serviceCheck(env: CheckEnvironment): Promise<Finding> {
  const run = env.run ?? runCommand;
  const systemd = env.systemd ?? existsSync('/run/systemd/system');
  if (systemd) {
    const known = await run('systemctl', ['cat', SERVICE_UNIT]);
    if (known.code === 0) {
      const enabled = await run('systemctl', ['is-enabled', SERVICE_UNIT]);
      const active = await run('systemctl', ['is-active', SERVICE_UNIT]);
      const ok = enabled.code === 0 && active.code === 0;
      return {
        ok,
        detail: `${SERVICE_UNIT} is ${active.stdout || 'unknown'} and ${enabled.stdout || 'unknown'}`,
        remedy: async () => {
          if (enabled.code !== 0) await run('systemctl', ['enable', SERVICE_UNIT]);
          const restarted = await run('systemctl', ['restart', SERVICE_UNIT]);
          const now = await run('systemctl', ['is-active', SERVICE_UNIT]);
          if (restarted.code !== 0 || now.code !== 0)
            throw new Error(
              `systemctl restart ${SERVICE_UNIT} did not bring it up (${now.stdout})`,
            );
          return `${SERVICE_UNIT} enabled and restarted`;
        },
      };
    }
  }
  // No systemd (or no unit): the agent process itself is the service.
  if (env.inService) return { ok: true, detail: `agent process running (pid ${process.pid})` };
  const running = await env.serviceRunning();
  return {
    ok: running,
    detail: running
      ? 'agent process running (no systemd unit)'
      : 'the agent service is not running and no systemd unit can start it (start "steward-agent run")',
  };
}

async function stateDirectoryCheck(env: CheckEnvironment): Promise<Finding> {
  const paths = statePaths(env.stateDir);
  const problems: string[] = [];
  const missing = [paths.outbox].filter((d) => !existsSync(d));
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  const probe = join(env.stateDir, `.client-check-${process.pid}`);
  try {
    await writeFile(probe, 'ok', { mode: 0o600 });
    await rm(probe, { force: true });
  } catch (err) {
    problems.push(`not writable: ${errorMessage(err)}`);
  }
  // A cache the agent cannot use: a policy that no longer verifies (the agent refetches it).
  const corrupt: string[] = [];
  const device = await readDeviceFile(env.stateDir).catch(() => undefined);
  if (device !== undefined && (await readFileIfExists(paths.policy)) !== undefined) {
    if ((await loadPolicy(env.stateDir, device)) === undefined) corrupt.push(paths.policy);
  }
  if (corrupt.length > 0) problems.push(`corrupt cache ${corrupt.join(', ')}`);
  return {
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${env.stateDir} writable` : problems.join('; '),
    remedy: async () => {
      for (const d of missing) await mkdir(d, { recursive: true, mode: 0o700 });
      for (const f of corrupt) await rm(f, { force: true });
      await writeFile(probe, 'ok', { mode: 0o600 });
      await rm(probe, { force: true });
      if (corrupt.length > 0 && env.fetchPolicyNow) await env.fetchPolicyNow();
      return (
        [
          ...missing.map((d) => `recreated ${d}`),
          ...corrupt.map((f) => `dropped corrupt ${f}`),
        ].join('; ') || 'state directory writable again'
      );
    },
  };
}

async function diskCheck(env: CheckEnvironment): Promise<Finding> {
  const min = checkSettings(env.settings).clientCheckMinFreeDiskMb;
  const s = await statfs(env.stateDir);
  const freeMb = Math.floor((s.bavail * s.bsize) / MIB);
  return {
    ok: freeMb >= min,
    detail: `${freeMb} MiB free on the state directory's file system (minimum ${min} MiB)`,
  };
}

async function outboxCheck(env: CheckEnvironment): Promise<Finding> {
  const s = checkSettings(env.settings);
  const { depth, firstSeq } = env.outbox;
  const now = env.now();
  // The age of the oldest item: since when this same item has been the oldest one waiting.
  const state = await readHealthState(env.stateDir);
  let since = now.toISOString();
  if (firstSeq !== undefined && state.oldestOutboxSeq === firstSeq && state.oldestOutboxSince)
    since = state.oldestOutboxSince;
  await writeHealthState(env.stateDir, {
    ...state,
    ...(firstSeq === undefined
      ? { oldestOutboxSeq: undefined, oldestOutboxSince: undefined }
      : { oldestOutboxSeq: firstSeq, oldestOutboxSince: since }),
  });
  const ageSeconds =
    firstSeq === undefined ? 0 : Math.round((now.getTime() - Date.parse(since)) / 1000);
  const tooMany = depth > s.clientCheckOutboxMaxItems;
  const tooOld = ageSeconds > s.clientCheckOutboxMaxAgeSeconds;
  return {
    ok: !tooMany && !tooOld,
    detail:
      `${depth} items waiting (limit ${s.clientCheckOutboxMaxItems})` +
      (firstSeq === undefined
        ? ''
        : `, oldest waiting ${ageSeconds} s (limit ${s.clientCheckOutboxMaxAgeSeconds} s)`),
  };
}

async function clockCheck(env: CheckEnvironment): Promise<Finding> {
  const max = checkSettings(env.settings).clientCheckMaxClockSkewSeconds;
  const site = await env.siteClock().catch(() => undefined);
  if (site === undefined)
    return { ok: false, detail: 'could not reach the site to compare clocks' };
  // The Date header has a resolution of one second.
  const skew = Math.round(Math.abs(site.localMs - site.siteMs) / 1000);
  return { ok: skew <= max, detail: `clock ${skew} s from the site's (limit ${max} s)` };
}

async function certificateCheck(env: CheckEnvironment): Promise<Finding> {
  try {
    const device = await readDeviceFile(env.stateDir);
    if (device === undefined) return { ok: false, detail: 'not enrolled: no device.json' };
    const ca = new X509Certificate(device.caPem);
    createPublicKey(device.policySigningKey);
    const now = env.now().getTime();
    const from = Date.parse(ca.validFrom);
    const to = Date.parse(ca.validTo);
    if (now < from || now > to)
      return {
        ok: false,
        detail: `the pinned site CA is valid only from ${ca.validFrom} to ${ca.validTo}`,
      };
    if (device.deviceKey.length < 16) return { ok: false, detail: 'the device key is truncated' };
    return {
      ok: true,
      detail: `device key present; site CA valid until ${new Date(to).toISOString()}`,
    };
  } catch (err) {
    return { ok: false, detail: `identity unusable (re-enrol): ${errorMessage(err)}` };
  }
}

async function policyCheck(env: CheckEnvironment): Promise<Finding> {
  const state = await readAgentState(env.stateDir);
  const interval = env.settings.policyIntervalSeconds;
  const last = state.lastPolicyFetchAt;
  const ageSeconds =
    last === undefined ? undefined : (env.now().getTime() - Date.parse(last)) / 1000;
  const failing = state.lastError?.startsWith('policy fetch') === true;
  // Two intervals and some slack: one missed poll is not yet a failure.
  const ok = ageSeconds !== undefined && ageSeconds <= 2 * interval + 300 && !failing;
  const remedy = env.fetchPolicyNow;
  return {
    ok,
    detail:
      last === undefined
        ? 'no policy fetch has succeeded yet'
        : `last policy fetch ${last}${failing ? `; failing since: ${state.lastError ?? ''}` : ''}`,
    ...(remedy
      ? {
          remedy: async () => {
            await remedy();
            return 'policy fetched again';
          },
        }
      : {}),
  };
}

async function inventoryCheck(env: CheckEnvironment): Promise<Finding> {
  const state = await readInventoryState(env.stateDir).catch(() => undefined);
  const interval = env.settings.inventoryIntervalSeconds;
  const last = state?.lastInventoryAt;
  const ageSeconds =
    last === undefined ? undefined : (env.now().getTime() - Date.parse(last)) / 1000;
  const ok = ageSeconds !== undefined && ageSeconds <= interval + Math.max(600, interval / 10);
  const remedy = env.runInventoryNow;
  return {
    ok,
    detail:
      last === undefined
        ? 'inventory has never run'
        : `last inventory ${last} (schedule every ${interval} s)`,
    ...(remedy
      ? {
          remedy: async () => {
            await remedy();
            return 'inventory collected now';
          },
        }
      : {}),
  };
}

const CHECKS: readonly [ClientCheckName, (env: CheckEnvironment) => Promise<Finding>][] = [
  ['service', serviceCheck],
  ['state-directory', stateDirectoryCheck],
  ['disk-space', diskCheck],
  ['outbox', outboxCheck],
  ['clock-skew', clockCheck],
  ['certificate', certificateCheck],
  ['policy-fetch', policyCheck],
  ['inventory', inventoryCheck],
];

/**
 * Runs every check; a failed one with a remedy is repaired when the mode is 'remediate' and
 * counts as remediated only if the repair worked (the check is not trusted to pass blindly).
 */
export async function runClientCheck(
  env: CheckEnvironment,
  mode: ClientCheckMode,
): Promise<ClientCheckResult[]> {
  const results: ClientCheckResult[] = [];
  for (const [check, run] of CHECKS) {
    let finding: Finding;
    try {
      finding = await run(env);
    } catch (err) {
      finding = { ok: false, detail: `check could not run: ${errorMessage(err)}` };
    }
    if (finding.ok) {
      results.push({ check, outcome: 'passed', detail: clip(finding.detail) });
      continue;
    }
    if (mode === 'remediate' && finding.remedy) {
      try {
        const done = await finding.remedy();
        results.push({ check, outcome: 'remediated', detail: clip(`${finding.detail}; ${done}`) });
        continue;
      } catch (err) {
        results.push({
          check,
          outcome: 'failed',
          detail: clip(`${finding.detail}; remediation failed: ${errorMessage(err)}`),
        });
        continue;
      }
    }
    results.push({ check, outcome: 'failed', detail: clip(finding.detail) });
  }
  return results;
}

const clip = (s: string) => (s.length > 1000 ? `${s.slice(0, 997)}...` : s);
