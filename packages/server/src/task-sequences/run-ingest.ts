import {
  parsePrimaryUsers,
  SequenceProgress,
  StatusMessages,
  TaskSequenceRunAttribute as A,
  type StatusMessageBody,
  type StepRunRecord,
} from '@steward/protocol';
import { parseJsonColumn } from '../db/corrupt-row.js';
import type { Queryable } from '../db/database.js';
import { replacePrimaryUsers } from '../devices/primary-user-repository.js';
import { deploymentExists, runProgressText, upsertRun } from './run-repository.js';

/**
 * The site's copy of a deployed run (issue 11, ADR 0084), kept from the engine's status messages
 * as they are ingested: no second report path, and the messages stay the record an
 * administrator reads. Each message moves the run's `SequenceProgress` one event on.
 */

const M = StatusMessages;
const ENGINE_IDS: ReadonlySet<number> = new Set([
  M.TASK_SEQUENCE_STARTED.id,
  M.TASK_SEQUENCE_STEP_STARTED.id,
  M.TASK_SEQUENCE_STEP_SUCCEEDED.id,
  M.TASK_SEQUENCE_STEP_FAILED.id,
  M.TASK_SEQUENCE_STEP_SKIPPED.id,
  M.TASK_SEQUENCE_RESTARTING.id,
  M.TASK_SEQUENCE_RESUMED.id,
  M.TASK_SEQUENCE_SUCCEEDED.id,
  M.TASK_SEQUENCE_FAILED.id,
]);

/** Whether the message is one the engine raises for a run's progress (40600-40608). */
export function isEngineMessage(messageId: number): boolean {
  return ENGINE_IDS.has(messageId);
}

function int(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : fallback;
}

function fresh(m: StatusMessageBody): SequenceProgress {
  const count = int(m.attributes[A.stepCount], 0);
  return {
    sequenceId: m.attributes['sequenceId'] ?? '',
    version: int(m.attributes['sequenceVersion'], 0),
    state: 'running',
    currentStepId: null,
    currentStepName: null,
    stepNumber: count === 0 ? 0 : 1,
    stepCount: count,
    history: [],
    startedAt: m.at,
    updatedAt: m.at,
  };
}

/** The run record of the message's step that is still running, or a new one. */
function recordOf(p: SequenceProgress, m: StatusMessageBody): StepRunRecord {
  const stepId = m.attributes['stepId'] ?? '';
  const last = p.history.at(-1);
  if (last?.stepId === stepId && last.status === 'running') return last;
  const rec: StepRunRecord = {
    stepId,
    name: m.attributes[A.stepName] ?? m.insertionStrings[3] ?? '',
    kind: m.attributes[A.stepKind] ?? '',
    number: int(m.attributes[A.stepNumber], p.stepNumber),
    status: 'running',
    reason: null,
    exitCode: null,
    outputTail: null,
    continued: false,
    startedAt: m.at,
    finishedAt: null,
  };
  p.history.push(rec);
  return rec;
}

/**
 * The run after one engine message (a pure step, so the site's view follows the engine's own
 * transitions); `undefined` in, a message that is not the start: a run is opened from it.
 */
export function applyEngineMessage(
  current: SequenceProgress | undefined,
  m: StatusMessageBody,
): SequenceProgress {
  const p: SequenceProgress =
    current === undefined || m.messageId === M.TASK_SEQUENCE_STARTED.id ? fresh(m) : current;
  p.updatedAt = m.at;
  p.stepCount = int(m.attributes[A.stepCount], p.stepCount);
  const number = int(m.attributes[A.stepNumber], p.stepNumber);
  switch (m.messageId) {
    case M.TASK_SEQUENCE_STARTED.id:
      return p;
    case M.TASK_SEQUENCE_RESUMED.id: {
      // The engine runs a step cut short again: its record starts over.
      if (p.history.at(-1)?.status === 'running') p.history.pop();
      p.state = 'running';
      p.stepNumber = int(m.insertionStrings[1], p.stepNumber);
      return p;
    }
    case M.TASK_SEQUENCE_STEP_STARTED.id: {
      p.state = 'running';
      p.stepNumber = number;
      const rec = recordOf(p, m);
      rec.kind = m.insertionStrings[4] ?? rec.kind;
      p.currentStepId = rec.stepId;
      p.currentStepName = rec.name;
      return p;
    }
    case M.TASK_SEQUENCE_STEP_SUCCEEDED.id:
    case M.TASK_SEQUENCE_STEP_FAILED.id:
    case M.TASK_SEQUENCE_STEP_SKIPPED.id:
    case M.TASK_SEQUENCE_RESTARTING.id: {
      p.stepNumber = number;
      const rec = recordOf(p, m);
      rec.finishedAt = m.at;
      p.currentStepId = rec.stepId;
      p.currentStepName = rec.name;
      if (m.messageId === M.TASK_SEQUENCE_STEP_FAILED.id) {
        rec.status = 'failed';
        rec.exitCode = int(m.attributes[A.exitCode] ?? m.insertionStrings[4], 1);
        rec.reason = m.insertionStrings[5] || null;
        rec.outputTail = m.insertionStrings[6] || null;
        rec.continued = m.attributes[A.continued] === 'true';
      } else if (m.messageId === M.TASK_SEQUENCE_STEP_SKIPPED.id) {
        rec.status = 'skipped';
        rec.reason = m.insertionStrings[4] || null;
      } else {
        rec.status = 'succeeded';
        rec.exitCode = int(m.attributes[A.exitCode], 0);
      }
      if (m.messageId === M.TASK_SEQUENCE_RESTARTING.id) p.state = 'restarting';
      return p;
    }
    case M.TASK_SEQUENCE_SUCCEEDED.id:
    case M.TASK_SEQUENCE_FAILED.id:
      p.state = m.messageId === M.TASK_SEQUENCE_SUCCEEDED.id ? 'succeeded' : 'failed';
      p.currentStepId = null;
      p.currentStepName = null;
      if (p.state === 'succeeded') p.stepNumber = p.stepCount;
      return p;
    default:
      return p;
  }
}

/**
 * User device affinity set at deployment time: a succeeded run's STWPrimaryUsers replaces the
 * device's task-sequence primary users (the administrator's stay).
 */
async function applyPrimaryUsers(
  tx: Queryable,
  deviceId: string,
  deploymentId: string,
  m: StatusMessageBody,
): Promise<void> {
  const users = parsePrimaryUsers(m.attributes['primaryUsers'] ?? '');
  await replacePrimaryUsers(tx, deviceId, 'task-sequence', users, {
    at: m.at,
    setBy: deploymentId,
  });
}

/**
 * Applies the engine messages of one report batch that belong to deployed runs. Only messages
 * newer than the device's last stored batch (`afterSeq`) are applied: a batch sent again after a
 * lost acknowledgement must not move a run twice.
 */
export async function applyTaskSequenceMessages(
  tx: Queryable,
  deviceId: string,
  items: readonly { seq: number; body: StatusMessageBody }[],
  afterSeq: number,
): Promise<void> {
  const byDeployment = new Map<string, StatusMessageBody[]>();
  for (const { seq, body } of items) {
    const deploymentId = body.attributes[A.deployment];
    if (
      seq > afterSeq &&
      deploymentId !== undefined &&
      body.messageId === M.TASK_SEQUENCE_PRIMARY_USERS.id
    )
      await applyPrimaryUsers(tx, deviceId, deploymentId, body);
    if (seq <= afterSeq || deploymentId === undefined || !ENGINE_IDS.has(body.messageId)) continue;
    const list = byDeployment.get(deploymentId) ?? [];
    list.push(body);
    byDeployment.set(deploymentId, list);
  }
  for (const [deploymentId, messages] of byDeployment) {
    // A deployment deleted while its run went on: nothing to keep the run under.
    if (!(await deploymentExists(tx, deploymentId))) continue;
    const text = await runProgressText(tx, deploymentId, deviceId);
    let progress =
      text === undefined
        ? undefined
        : parseJsonColumn(SequenceProgress, text, {
            table: 'task_sequence_run',
            id: `${deploymentId}/${deviceId}`,
            column: 'progress',
          });
    for (const m of messages) progress = applyEngineMessage(progress, m);
    if (progress === undefined) continue;
    await upsertRun(tx, {
      deployment_id: deploymentId,
      device_id: deviceId,
      state: progress.state,
      step_number: progress.stepNumber,
      step_count: progress.stepCount,
      current_step: progress.currentStepName,
      progress: JSON.stringify(progress),
      updated_at: progress.updatedAt,
    });
  }
}
