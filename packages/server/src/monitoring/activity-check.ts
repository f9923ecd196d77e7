import type { ActivityCheckRun } from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso, SYSTEM_ACTOR } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction } from '../db/database.js';
import { isDeviceOnline } from '../devices/presence-repository.js';
import { currentSiteSettings } from '../site/site-settings.js';
import { raiseSiteStatus } from '../status/site-status.js';
import {
  activityCutoffs,
  clearObsolete,
  deleteDevice,
  devicesBecomingObsolete,
  devicesReportingAgain,
  markObsolete,
  obsoleteDevices,
  pushSeenSince,
  quietDevices,
  recordActivityCheck,
  type QuietDevice,
} from './activity-repository.js';
import { probeDevice } from './probe.js';

const HOUR_MS = 3600_000;
/** Devices about to cross a threshold within this are checked now (the job runs hourly). */
const LOOKAHEAD_MS = 2 * HOUR_MS;
/** A device checked (and still quiet) is checked again after this. */
const RECHECK_AFTER_MS = 20 * HOUR_MS;
/** How long the check waits for pongs; the answer comes within a round trip on a live link. */
const PING_WAIT_MS = 15_000;
/** Devices checked per run: a large estate's backlog spreads over a few hourly runs. */
const BATCH = 2_000;
/** Probes run at once. */
const PROBE_CONCURRENCY = 16;

type Tally = Pick<ActivityCheckRun, 'pingAnswered' | 'probeAnswered' | 'noAnswer'>;

/** Pings the connected devices among `quiet`; resolves with the ones whose pong came back. */
async function pingConnected(
  ctx: SiteContext,
  quiet: readonly QuietDevice[],
): Promise<Set<string>> {
  const now = ctx.clock.now();
  const connected = quiet.filter((d) => isDeviceOnline(d, now)).map((d) => d.id);
  if (connected.length === 0) return new Set();
  const sentAt = now.toISOString();
  await ctx.bus.publish('activity-ping', { deviceIds: connected });
  // Wait for the answers to be recorded (presence is written by whichever process holds the
  // socket, within a second of the pong), or the deadline.
  const deadline = Date.now() + PING_WAIT_MS;
  let answered = new Set<string>();
  while (Date.now() < deadline) {
    answered = await pushSeenSince(ctx.db.kysely, { ids: connected, since: sentAt });
    if (answered.size === connected.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return answered;
}

/** Probes the devices that did not answer a ping, a few at a time, and records each outcome. */
async function checkQuiet(ctx: SiteContext, quiet: readonly QuietDevice[]): Promise<Tally> {
  const tally: Tally = { pingAnswered: 0, probeAnswered: 0, noAnswer: 0 };
  const answered = await pingConnected(ctx, quiet);
  const port = currentSiteSettings().activityProbePort;
  const queue = [...quiet];
  const worker = async () => {
    for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
      const at = nowIso(ctx);
      if (answered.has(d.id)) {
        tally.pingAnswered++;
        await recordActivityCheck(ctx.db.kysely, {
          deviceId: d.id,
          at,
          outcome: 'ping-answered',
          detail: 'push channel answered the ping',
        });
        await raiseSiteStatus(ctx, {
          message: 'CLIENT_ACTIVITY_PING_ANSWERED',
          insertionStrings: [d.name],
          deviceId: d.id,
        });
        continue;
      }
      const addresses = d.ip_addresses ? d.ip_addresses.split(',') : [];
      const probe = await probeDevice(addresses, port);
      const outcome = probe.answered !== undefined ? 'probe-answered' : 'no-answer';
      if (outcome === 'probe-answered') tally.probeAnswered++;
      else tally.noAnswer++;
      await recordActivityCheck(ctx.db.kysely, {
        deviceId: d.id,
        at: nowIso(ctx),
        outcome,
        detail: probe.detail,
      });
      await raiseSiteStatus(ctx, {
        message:
          outcome === 'probe-answered'
            ? 'CLIENT_ACTIVITY_PROBE_ANSWERED'
            : 'CLIENT_ACTIVITY_NO_ANSWER',
        insertionStrings: [d.name, probe.detail],
        deviceId: d.id,
      });
    }
  };
  await Promise.all(Array.from({ length: PROBE_CONCURRENCY }, worker));
  return tally;
}

/** Clears stale obsolete marks, marks new obsolete devices and removes them if the site says so. */
async function obsoleteDevicesStep(
  ctx: SiteContext,
): Promise<Pick<ActivityCheckRun, 'markedObsolete' | 'noLongerObsolete' | 'removed'>> {
  const db = ctx.db.kysely;
  const settings = currentSiteSettings();
  const now = ctx.clock.now();
  let noLongerObsolete = 0;
  for (const d of await devicesReportingAgain(db)) {
    await inTransaction(db, async (tx) => {
      await clearObsolete(tx, d.id);
      await raiseSiteStatus(
        ctx,
        {
          message: 'CLIENT_NO_LONGER_OBSOLETE',
          insertionStrings: [d.name, d.last_contact_at ?? ''],
          deviceId: d.id,
        },
        tx,
      );
    });
    noLongerObsolete++;
  }
  const before = new Date(now.getTime() - settings.obsoleteAfterDays * 86400_000).toISOString();
  const becoming = await devicesBecomingObsolete(db, {
    before,
    cutoffs: activityCutoffs(now, settings),
  });
  for (const d of becoming)
    await inTransaction(db, async (tx) => {
      await markObsolete(tx, { deviceId: d.id, at: now.toISOString() });
      await raiseSiteStatus(
        ctx,
        {
          message: 'CLIENT_OBSOLETE',
          insertionStrings: [
            d.name,
            d.last_heartbeat_at ?? 'never',
            String(settings.obsoleteAfterDays),
          ],
          deviceId: d.id,
        },
        tx,
      );
    });
  let removed = 0;
  if (settings.removeObsoleteDevices) {
    for (const d of await obsoleteDevices(db)) {
      await inTransaction(db, async (tx) => {
        await deleteDevice(tx, d.id);
        await writeAudit(tx, SYSTEM_ACTOR, nowIso(ctx), {
          action: 'device.remove-obsolete',
          targetType: 'device',
          targetId: d.id,
          details: { name: d.name, lastHeartbeatAt: d.last_heartbeat_at },
        });
        await raiseSiteStatus(
          ctx,
          {
            message: 'CLIENT_OBSOLETE_REMOVED',
            insertionStrings: [d.name, d.id, d.last_heartbeat_at ?? 'never'],
            deviceId: d.id,
          },
          tx,
        );
      });
      // Drops the device's cached credentials and push connection in every process.
      await ctx.bus.publish('device-revoked', { deviceIds: [d.id] });
      removed++;
    }
  }
  const raised = noLongerObsolete + becoming.length + removed;
  // The messages were written inside the transactions: live viewers wake up once for all.
  if (raised > 0) await ctx.bus.publish('status-ingested', { count: raised });
  return { markedObsolete: becoming.length, noLongerObsolete, removed };
}

/**
 * The activity check (ADR 0029), hourly in the scheduler leader and on demand: devices about to
 * become inactive are pinged over their push channel (an answer keeps them active) and, without
 * one, probed (the outcome is recorded: machine up with a silent agent, or nothing); then the
 * obsolete marks are brought up to date.
 */
export async function runActivityCheck(ctx: SiteContext): Promise<ActivityCheckRun> {
  const now = ctx.clock.now();
  const settings = currentSiteSettings();
  const quiet = await quietDevices(ctx.db.kysely, {
    cutoffs: activityCutoffs(now, settings, LOOKAHEAD_MS),
    checkedBefore: new Date(now.getTime() - RECHECK_AFTER_MS).toISOString(),
    limit: BATCH,
  });
  const tally = await checkQuiet(ctx, quiet);
  const obsolete = await obsoleteDevicesStep(ctx);
  const run: ActivityCheckRun = {
    at: now.toISOString(),
    checked: quiet.length,
    ...tally,
    ...obsolete,
  };
  if (run.checked + run.markedObsolete + run.removed > 0)
    await raiseSiteStatus(ctx, {
      message: 'CLIENT_ACTIVITY_CHECK_COMPLETED',
      insertionStrings: [
        String(run.checked),
        String(run.pingAnswered),
        String(run.probeAnswered),
        String(run.noAnswer),
        String(run.markedObsolete),
        String(run.removed),
      ],
    });
  return run;
}

/** `runActivityCheck` asked for by an administrator (API, CLI, console). */
export async function runActivityCheckNow(
  ctx: SiteContext,
  actor: Actor,
): Promise<ActivityCheckRun> {
  authorize(actor, 'devices:write');
  return runActivityCheck(ctx);
}
