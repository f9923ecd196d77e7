import { describe, expect, it } from 'vitest';
import {
  settingsDefaults,
  StatusMessages,
  UpdateDeploymentOptions,
  type AgentDeployment,
} from '@steward/protocol';
import { deployment as fixture } from '../../test/software-fixtures.js';
import { updateWaitMessage } from './update-wait-messages.js';

const DEADLINE = Date.parse('2031-01-01T10:00:00Z');
const MINUTE = 60_000;

const deployment = (update: boolean, expiresAt: string | null = null): AgentDeployment =>
  fixture({
    name: 'December security',
    triggers: [{ type: 'at', start: '2031-01-01T10:00' }],
    expiresAt,
    revision: 3,
    ...(update
      ? {
          updateInstall: {
            ...settingsDefaults(UpdateDeploymentOptions),
            updateDeploymentId: 'ud-1',
            repoKey: 'k',
            updates: [],
          },
        }
      : {}),
  });

const waitingWindow = (nextRunAtMs?: number) => ({
  kind: 'waiting-window' as const,
  triggerMs: DEADLINE,
  durationMs: 30 * MINUTE,
  ...(nextRunAtMs === undefined ? {} : { nextRunAtMs }),
});

describe("seed table 3's waiting messages of an update deployment", () => {
  it('no window at the deadline is a fast start (11250), over an hour late a late start (11251)', () => {
    const next = DEADLINE + 5 * 60 * MINUTE;
    const fast = updateWaitMessage(deployment(true), waitingWindow(next), DEADLINE + MINUTE);
    expect(fast?.message.messageId).toBe(StatusMessages.UPDATE_NO_WINDOW_FAST_START.id);
    expect(fast?.message.messageId).toBe(11250);
    expect(fast?.message.insertionStrings).toEqual([
      'December security',
      new Date(next).toISOString(),
    ]);
    const late = updateWaitMessage(deployment(true), waitingWindow(next), DEADLINE + 61 * MINUTE);
    expect(late?.message.messageId).toBe(11251);
    // One key per revision and trigger: the agent raises each once.
    expect(late?.key).toBe(fast?.key);
  });

  it('no window before the deployment expires is the expiry limit (11256)', () => {
    const expired = updateWaitMessage(
      deployment(true, '2031-01-02T00:00'),
      waitingWindow(),
      DEADLINE + MINUTE,
    );
    expect(expired?.message.messageId).toBe(11256);
    expect(expired?.message.insertionStrings).toEqual(['December security', '2031-01-02T00:00']);
  });

  it('content not downloaded at the deadline postpones the install automatically (11254)', () => {
    const retryAtMs = DEADLINE + 10 * MINUTE;
    const postponed = updateWaitMessage(
      deployment(true),
      { kind: 'waiting-content', triggerMs: DEADLINE, retryAtMs },
      DEADLINE + MINUTE,
    );
    expect(postponed?.message.messageId).toBe(11254);
    expect(postponed?.message.insertionStrings[1]).toContain(new Date(retryAtMs).toISOString());
  });

  it('says nothing for a software deployment, or for an update deployment that can run', () => {
    expect(
      updateWaitMessage(deployment(false), waitingWindow(DEADLINE), DEADLINE + MINUTE),
    ).toBeUndefined();
    expect(
      updateWaitMessage(
        deployment(true),
        { kind: 'run', triggerMs: DEADLINE, userRequested: false, chain: [] },
        DEADLINE + MINUTE,
      ),
    ).toBeUndefined();
  });
});
