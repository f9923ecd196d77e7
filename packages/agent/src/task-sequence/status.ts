import { TaskSequenceRunAttribute as A, type StatusMessageBody } from '@steward/protocol';
import { statusMessage } from '../outbox/status-message.js';
import type { EngineEvent } from './engine.js';

/**
 * The status message for an engine event (ADR 0070): one per step started, succeeded, failed
 * (with its output tail) or skipped, and one per start, resume, restart and end of the run.
 * Attributes carry the sequence and step ids so the site can file them per device and step.
 */
export function statusOfEvent(
  event: EngineEvent,
  sequenceName: string,
  at: Date = new Date(),
  /** A deployed run (ADR 0084): the attributes the site keeps the run's state from. */
  deploymentId?: string,
): StatusMessageBody {
  const p = event.progress;
  const attrs: Record<string, string> = {
    sequenceId: p.sequenceId,
    sequenceVersion: String(p.version),
  };
  if (deploymentId !== undefined) {
    attrs[A.deployment] = deploymentId;
    attrs[A.stepCount] = String(p.stepCount);
    attrs[A.stepNumber] = String(p.stepNumber);
    if ('record' in event) {
      const r = event.record;
      attrs[A.stepNumber] = String(r.number);
      attrs[A.stepKind] = r.kind;
      attrs[A.stepName] = r.name;
      if (r.exitCode !== null) attrs[A.exitCode] = String(r.exitCode);
      if (r.continued) attrs[A.continued] = 'true';
    }
  }
  const steps = String(p.stepCount);
  switch (event.type) {
    case 'started':
      return statusMessage(
        'TASK_SEQUENCE_STARTED',
        [sequenceName, String(p.version), steps],
        attrs,
        at,
      );
    case 'resumed':
      return statusMessage(
        'TASK_SEQUENCE_RESUMED',
        [sequenceName, String(p.stepNumber), steps],
        attrs,
        at,
      );
    case 'finished': {
      if (p.state === 'failed') {
        const last = p.history.at(-1);
        return statusMessage(
          'TASK_SEQUENCE_FAILED',
          [sequenceName, String(p.version), String(last?.number ?? 0), last?.name ?? ''],
          attrs,
          at,
        );
      }
      const count = (status: string) => p.history.filter((h) => h.status === status).length;
      const continued = p.history.filter((h) => h.continued).length;
      return statusMessage(
        'TASK_SEQUENCE_SUCCEEDED',
        [
          sequenceName,
          String(p.version),
          String(count('succeeded') + count('failed')),
          String(count('skipped')),
          String(continued),
        ],
        attrs,
        at,
      );
    }
    case 'restarting':
      return statusMessage(
        'TASK_SEQUENCE_RESTARTING',
        [
          sequenceName,
          String(event.record.number),
          event.record.name,
          String(event.record.number + 1),
        ],
        { ...attrs, stepId: event.record.stepId },
        at,
      );
    case 'step-started':
    case 'step-finished': {
      const r = event.record;
      const a = { ...attrs, stepId: r.stepId };
      const n = String(r.number);
      switch (r.status) {
        case 'running':
          return statusMessage(
            'TASK_SEQUENCE_STEP_STARTED',
            [sequenceName, n, steps, r.name, r.kind],
            a,
            at,
          );
        case 'succeeded':
          return statusMessage(
            'TASK_SEQUENCE_STEP_SUCCEEDED',
            [sequenceName, n, steps, r.name],
            a,
            at,
          );
        case 'skipped':
          return statusMessage(
            'TASK_SEQUENCE_STEP_SKIPPED',
            [sequenceName, n, steps, r.name, r.reason ?? ''],
            a,
            at,
          );
        case 'failed':
          return statusMessage(
            'TASK_SEQUENCE_STEP_FAILED',
            [
              sequenceName,
              n,
              steps,
              r.name,
              String(r.exitCode ?? ''),
              r.reason ?? '',
              r.outputTail ?? '',
            ],
            a,
            at,
          );
      }
    }
  }
}
