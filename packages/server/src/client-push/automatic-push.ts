import type { ClientPushSettings, PushJobSource } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { inRanges, rangesOfBoundaries } from '../discovery/targets.js';
import { machinesWithoutAgent } from '../discovery/repository.js';
import { loadBoundaries } from '../distribution/boundary-repository.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { findPushAccount, hostsWithAnyTarget, type PushAccountRow } from './repository.js';

/** Automatic site-wide push targets discovered machines on the SSH port discovery probes. */
const SSH_PORT = 22;

/**
 * Automatic site-wide push (ADR 0030): every discovered machine inside the site's IPv4
 * boundaries with no agent gets a target on port 22, once: a host that ever had a target
 * (any state, any job) is left to that target and its retries. Runs after each sweep, every
 * hour in the scheduler, and when turned on. Does nothing while off.
 */
export async function runAutomaticPush(
  ctx: SiteContext,
  d: {
    settings: () => Promise<ClientPushSettings>;
    createJob: (j: {
      account: PushAccountRow;
      source: PushJobSource;
      collectionId: string | null;
      targets: { host: string; port: number }[];
    }) => Promise<string>;
    /** Said in the status message: why it ran. */
    trigger: string;
  },
): Promise<void> {
  const db = ctx.db.kysely;
  const settings = await d.settings();
  if (!settings.automaticPush) return;
  const ranges = rangesOfBoundaries(await loadBoundaries(db));
  const inside = (await machinesWithoutAgent(db, {})).filter((a) => inRanges(a, ranges));
  const pushed = await hostsWithAnyTarget(db, inside, SSH_PORT);
  const fresh = inside.filter((a) => !pushed.has(a));
  if (fresh.length === 0) return;
  const account =
    settings.automaticPushAccountId === null
      ? undefined
      : await findPushAccount(db, settings.automaticPushAccountId);
  if (!account) {
    await raiseSiteStatus(ctx, {
      message: 'PUSH_AUTOMATIC_NO_ACCOUNT',
      insertionStrings: ['the push account was removed', String(fresh.length)],
    });
    return;
  }
  const jobId = await d.createJob({
    account,
    source: 'automatic',
    collectionId: null,
    targets: fresh.map((host) => ({ host, port: SSH_PORT })),
  });
  await raiseSiteStatus(ctx, {
    message: 'PUSH_AUTOMATIC_TARGETS_QUEUED',
    insertionStrings: [String(fresh.length), jobId, account.name, d.trigger],
  });
  await ctx.bus.publish('status-ingested', { count: 1 });
}
