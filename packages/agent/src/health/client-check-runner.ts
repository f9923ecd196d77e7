import type { ClientCheckReport, ClientCheckResult, StatusMessageBody } from '@steward/protocol';
import { statusMessage } from '../outbox/status-message.js';
import { checkSettings, runClientCheck, type CheckEnvironment } from './checks.js';
import { readHealthState, writeHealthState } from './health-state.js';

/** Where the results go: the outbox (a report item and one status message per failed check). */
export interface CheckSink {
  enqueueClientCheck(body: ClientCheckReport): Promise<number>;
  enqueueStatus(body: StatusMessageBody): Promise<number>;
}

/**
 * One client check run: the checks (with remediation unless the policy's client check mode is
 * notify-only), then its report and status messages into the outbox, and the time of the run
 * kept for the schedule.
 */
export async function runAndReportClientCheck(
  env: CheckEnvironment,
  sink: CheckSink,
  trigger: ClientCheckReport['trigger'],
): Promise<ClientCheckReport> {
  const mode = checkSettings(env.settings).clientCheckMode;
  const results = await runClientCheck(env, mode);
  const at = env.now();
  const report: ClientCheckReport = { at: at.toISOString(), mode, trigger, results };
  await sink.enqueueClientCheck(report);
  for (const m of messagesOf(results, trigger, at)) await sink.enqueueStatus(m);
  const state = await readHealthState(env.stateDir);
  await writeHealthState(env.stateDir, { ...state, lastCheckAt: report.at });
  return report;
}

function messagesOf(
  results: readonly ClientCheckResult[],
  trigger: string,
  at: Date,
): StatusMessageBody[] {
  const attention = results.filter((r) => r.outcome !== 'passed');
  if (attention.length === 0)
    return [statusMessage('CLIENT_CHECK_PASSED', [String(results.length), trigger], {}, at)];
  return attention.map((r) =>
    statusMessage(
      r.outcome === 'failed' ? 'CLIENT_CHECK_FAILED' : 'CLIENT_CHECK_REMEDIATED',
      [r.check, r.detail],
      { check: r.check },
      at,
    ),
  );
}

/** Milliseconds until the next scheduled check: the interval after the last run (soon if never). */
export async function clientCheckDelayMs(
  stateDir: string,
  intervalSeconds: number,
  now: Date,
): Promise<number> {
  const last = (await readHealthState(stateDir)).lastCheckAt;
  // Never checked: after the first policy and inventory had time to happen.
  if (last === undefined) return Math.min(intervalSeconds * 1000, 10 * 60_000);
  return Math.max(0, Date.parse(last) + intervalSeconds * 1000 - now.getTime());
}
