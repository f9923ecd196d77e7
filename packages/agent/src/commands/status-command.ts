import { readFile } from 'node:fs/promises';
import { ExitCode } from '../errors.js';
import { readInventoryState } from '../inventory/inventory-state.js';
import { readLastScanAt, readUpdateScanSchedule } from '../updates/scan/scan-runner.js';
import { DeadLetterFile } from '../outbox/dead-letter.js';
import { Outbox } from '../outbox/outbox.js';
import { readAgentState } from '../state/agent-state.js';
import { readDeviceFile } from '../state/device-file.js';
import { loadPolicy } from '../state/policy-file.js';
import { statePaths } from '../state/state-dir.js';
import type { CliIo } from './cli-io.js';

export interface StatusArgs {
  stateDir: string;
  json: boolean;
}

/** The pid of the running service (it holds the state lock), if any. */
export async function runningPid(lockPath: string): Promise<number | undefined> {
  const pid = Number.parseInt((await readFile(lockPath, 'utf8').catch(() => '')).trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return err instanceof Error && 'code' in err && err.code === 'EPERM' ? pid : undefined;
  }
}

/** `steward-agent status [--state-dir <dir>] [--json]`: enrolment, policy, outbox, last contact. */
export async function statusCommand(args: StatusArgs, io: CliIo): Promise<number> {
  const paths = statePaths(args.stateDir);
  const device = await readDeviceFile(args.stateDir);
  if (device === undefined) {
    if (args.json) io.out(JSON.stringify({ enrolled: false, stateDir: args.stateDir }) + '\n');
    else io.out(`not enrolled (state directory ${args.stateDir})\n`);
    return ExitCode.failure;
  }
  const policy = await loadPolicy(args.stateDir, device);
  const outbox = await Outbox.inspect(paths.outbox);
  const contact = await readAgentState(args.stateDir);
  const inventory = await readInventoryState(args.stateDir);
  const deadLetters = await DeadLetterFile.count(paths.deadLetter);
  const pid = await runningPid(paths.lock);
  const scanPlan = await readUpdateScanSchedule(args.stateDir);
  const lastUpdateScanAt = await readLastScanAt(args.stateDir);
  const status = {
    enrolled: true,
    stateDir: args.stateDir,
    deviceId: device.deviceId,
    siteCode: device.siteCode,
    url: device.url,
    enrolledAt: device.enrolledAt,
    policyVersion: policy?.version ?? null,
    policyIssuedAt: policy?.issuedAt ?? null,
    outboxDepth: outbox.depth,
    outboxBytes: outbox.bytes,
    nextSeq: outbox.nextSeq ?? null,
    lastContactAt: contact.lastContactAt ?? null,
    lastPolicyFetchAt: contact.lastPolicyFetchAt ?? null,
    deadLetterCount: deadLetters.kept,
    deadLetterTotal: deadLetters.total,
    deadLetterFile: paths.deadLetter,
    /** Only while the trouble lasts: the next successful contact moves it to `pastError`. */
    lastError: contact.lastError ?? null,
    lastErrorAt: contact.lastErrorAt ?? null,
    pastError: contact.pastError ?? null,
    pastErrorAt: contact.pastErrorAt ?? null,
    recoveredAt: contact.recoveredAt ?? null,
    lastInventoryAt: inventory?.lastInventoryAt ?? null,
    lastFullInventoryAt: inventory?.lastFullAt ?? null,
    lastSoftwareScanAt: inventory?.lastSoftwareScanAt ?? null,
    fullInventoryPending: inventory === undefined || inventory.fullRequired,
    lastUpdateScanAt: lastUpdateScanAt ?? null,
    /** The scheduled update scan as the service planned it from its client settings (ADR 0064). */
    updateScanSchedule: scanPlan ?? null,
    running: pid !== undefined,
    pid: pid ?? null,
  };
  if (args.json) {
    io.out(JSON.stringify(status, null, 2) + '\n');
    return ExitCode.ok;
  }
  const rows: [string, string][] = [
    ['device', `${status.deviceId} (site ${status.siteCode})`],
    ['server', status.url],
    ['enrolled', status.enrolledAt],
    [
      'policy',
      policy === undefined
        ? 'none yet (defaults)'
        : `version ${policy.version}, issued ${policy.issuedAt}`,
    ],
    [
      'outbox',
      `${status.outboxDepth} items, ${status.outboxBytes} bytes${status.nextSeq === null ? '' : `, next seq ${status.nextSeq}`}`,
    ],
    [
      'dead letters',
      status.deadLetterTotal === 0
        ? 'none'
        : `${status.deadLetterCount} kept (${status.deadLetterTotal} ever) in ${status.deadLetterFile}`,
    ],
    ['last contact', status.lastContactAt ?? 'never'],
    [
      'last error',
      status.lastError !== null
        ? `${status.lastError} (${status.lastErrorAt ?? '?'})`
        : status.pastError !== null
          ? `none now; past: ${status.pastError} (${status.pastErrorAt ?? '?'}, recovered ${status.recoveredAt ?? '?'})`
          : '-',
    ],
    [
      'inventory',
      `${status.lastInventoryAt ?? 'never'} (last full ${status.lastFullInventoryAt ?? 'never'}${status.fullInventoryPending ? ', full pending' : ''})`,
    ],
    ['software scan', status.lastSoftwareScanAt ?? 'never'],
    [
      'update scan',
      (lastUpdateScanAt ?? 'never') +
        (scanPlan === undefined
          ? ''
          : `; next ${scanPlan.nextAt} (every ${scanPlan.intervalSeconds} s, random delay up to ${scanPlan.randomDelaySeconds} s)`),
    ],
    ['service', pid === undefined ? 'not running' : `running (pid ${pid})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  io.out(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
  return ExitCode.ok;
}
