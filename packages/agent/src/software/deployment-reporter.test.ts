import { describe, expect, it } from 'vitest';
import type { DeploymentStateReport, StatusMessageBody } from '@steward/protocol';
import { systemClock } from '../clock.js';
import { silentLogger } from '../logger.js';
import { DeploymentReporter, runNames, type ReportSink } from './deployment-reporter.js';

describe('DeploymentReporter', () => {
  it('asks for delivery after each queued state and message, not after a failed one', async () => {
    const queued: (DeploymentStateReport | StatusMessageBody)[] = [];
    let failing = false;
    const sink: ReportSink = {
      enqueueStatus: (b) => {
        if (failing) return Promise.reject(new Error('disk full'));
        queued.push(b);
        return Promise.resolve(queued.length);
      },
      enqueueDeploymentState: (b) => {
        queued.push(b);
        return Promise.resolve(queued.length);
      },
    };
    let flushes = 0;
    const r = new DeploymentReporter(sink, systemClock, silentLogger, () => flushes++);
    // A run's start is queued mid-run: without a flush it would wait for the next inventory.
    await r.state({ deploymentId: 'd1', revision: 1, state: 'running', runId: 'r1' });
    await r.message('PROGRAM_STARTED', runNames(undefined, 'd1', undefined, 'p1'));
    expect(queued).toHaveLength(2);
    expect(flushes).toBe(2);
    failing = true;
    await r.message('PROGRAM_SUCCEEDED', runNames(undefined, 'd1', undefined, 'p1'), '0');
    expect(flushes).toBe(2);
  });
});
