import type { AgentDeployment, StatusMessageBody } from '@steward/protocol';
import { statusMessage } from '../outbox/status-message.js';
import type { Decision } from './deployment-evaluator.js';

/** An update deployment first evaluated this long after its deadline started late (seed 11251). */
const LATE_START_MS = 3_600_000;

/**
 * The seed's messages (table 3) for an update deployment that cannot start when due: no install
 * window (fast start: at the deadline; late start: the agent reached the deadline late, having
 * been off; expiry limit: no window before it expires), or the install postponed automatically
 * (its content is not downloaded yet). The key makes each one once per revision and trigger.
 */
export function updateWaitMessage(
  dep: AgentDeployment,
  decision: Decision,
  nowMs: number,
): { key: string; message: StatusMessageBody } | undefined {
  if (dep.updateInstall === undefined) return undefined;
  const at = new Date(nowMs);
  if (decision.kind === 'waiting-window') {
    const next = decision.nextRunAtMs;
    const key = `no-window:${dep.revision}:${decision.triggerMs}`;
    if (next === undefined)
      return {
        key,
        message: statusMessage(
          'UPDATE_NO_WINDOW_EXPIRED',
          [dep.name, dep.expiresAt ?? 'never'],
          {},
          at,
        ),
      };
    const late = nowMs - decision.triggerMs > LATE_START_MS;
    return {
      key,
      message: statusMessage(
        late ? 'UPDATE_NO_WINDOW_LATE_START' : 'UPDATE_NO_WINDOW_FAST_START',
        [dep.name, new Date(next).toISOString()],
        {},
        at,
      ),
    };
  }
  if (decision.kind === 'waiting-content')
    return {
      key: `auto-postponed:${dep.revision}:${decision.triggerMs}`,
      message: statusMessage(
        'UPDATE_POSTPONED_AUTOMATICALLY',
        [
          dep.name,
          `its content is not downloaded yet; retrying at ${new Date(decision.retryAtMs).toISOString()}`,
        ],
        {},
        at,
      ),
    };
  return undefined;
}
