import { randomUUID } from 'node:crypto';
import {
  ClientPushSettings,
  ClientPushSettingsOptions,
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  settingsDefaults,
  type PushJob,
  type PushJobDetail,
  type PushJobSource,
  type PushTarget,
  type PushTargetDetail,
  type PushTargetState,
  type StartPushRequest,
} from '@steward/protocol';
import type { Insertable } from 'kysely';
import { SYSTEM_ACTOR, authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction } from '../db/database.js';
import { storedSettings } from '../db/corrupt-row.js';
import type { PushTargetTable } from '../db/tables/index.js';
import { devicesMatchingHost } from '../devices/repository.js';
import { readSetting, writeSetting } from '../site/repository.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { runAutomaticPush } from './automatic-push.js';
import { requestedHosts } from './job-targets.js';
import { parseTargetHost } from './prerequisites.js';
import {
  attemptsOfTarget,
  findPushAccount,
  findPushJob,
  findPushTarget,
  insertPushJob,
  insertPushTargets,
  latestTargetForHost,
  listPushJobs,
  targetCounts,
  targetForHostInStates,
  targetsOfJob,
  updatePushTarget,
  type PushAccountRow,
  type PushJobRow,
  type PushTargetRow,
} from './repository.js';

const SETTINGS_KEY = 'client_push_settings';
const DEFAULTS: ClientPushSettings = {
  ...settingsDefaults(ClientPushSettingsOptions),
  automaticPushAccountId: null,
};

export function toTarget(r: PushTargetRow): PushTarget {
  return {
    id: r.id,
    jobId: r.job_id,
    host: r.host,
    port: r.port,
    state: r.state,
    attempts: r.attempts,
    lastErrorCode: r.last_error_code,
    lastError: r.last_error,
    reason: r.reason,
    nextAttemptAt: r.next_attempt_at,
    deviceId: r.device_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toJob(r: PushJobRow, counts: Record<string, number>): PushJob {
  return {
    id: r.id,
    accountId: r.account_id,
    accountName: r.account_name,
    source: r.source,
    collectionId: r.collection_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
  };
}

/** States in which a target for the same host in another job makes a new one redundant. */
const PENDING: readonly PushTargetState[] = [
  'queued',
  'connecting',
  'checking',
  'copying',
  'installing',
  'waiting-for-enrolment',
  'retry-scheduled',
];

/**
 * Client push (issue 9): push jobs, their targets and the push settings (accounts and host keys:
 * `PushAccountService`). Attempts run in the scheduler process (`PushRunner`); this service only
 * queues them and says so on the bus (`push-targets-queued`), which wakes the runner wherever it runs.
 */
export class ClientPushService {
  constructor(private readonly ctx: SiteContext) {}

  async settings(): Promise<ClientPushSettings> {
    const value = await readSetting(this.ctx.db.kysely, SETTINGS_KEY);
    return value === undefined
      ? DEFAULTS
      : storedSettings(ClientPushSettings, DEFAULTS, value, SETTINGS_KEY);
  }

  async getSettings(actor: Actor): Promise<ClientPushSettings> {
    authorize(actor, 'read');
    return this.settings();
  }

  /** Changes the settings given; the automatic push account may be named; audited. */
  async updateSettings(
    actor: Actor,
    patch: Partial<ClientPushSettings>,
  ): Promise<ClientPushSettings> {
    authorize(actor, 'enrolment:write');
    const at = nowIso(this.ctx);
    const next = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const current = await readSetting(tx, SETTINGS_KEY);
      const before =
        current === undefined
          ? DEFAULTS
          : storedSettings(ClientPushSettings, DEFAULTS, current, SETTINGS_KEY);
      const merged = { ...before, ...patch };
      if (typeof patch.automaticPushAccountId === 'string') {
        const account = await findPushAccount(tx, patch.automaticPushAccountId);
        if (!account)
          throw new NotFoundError(
            'push account',
            patch.automaticPushAccountId,
            ErrorCode.PUSH_ACCOUNT_NOT_FOUND,
          );
        merged.automaticPushAccountId = account.id;
      }
      if (merged.automaticPush && merged.automaticPushAccountId === null)
        throw new InputError(
          ErrorCode.INVALID_INPUT,
          'automatic site-wide push needs a push account (automaticPushAccountId)',
        );
      await writeSetting(tx, { key: SETTINGS_KEY, value: JSON.stringify(merged) });
      await writeAudit(tx, actor, at, {
        action: 'client-push-settings.update',
        targetType: 'site',
        targetId: this.ctx.siteCode,
        details: patch,
      });
      if (
        merged.automaticPush !== before.automaticPush ||
        merged.automaticPushAccountId !== before.automaticPushAccountId
      ) {
        const account =
          merged.automaticPushAccountId === null
            ? undefined
            : await findPushAccount(tx, merged.automaticPushAccountId);
        await raiseSiteStatus(
          this.ctx,
          {
            message: 'PUSH_AUTOMATIC_CHANGED',
            insertionStrings: [
              actor.userName,
              merged.automaticPush ? 'on' : 'off',
              account?.name ?? 'none',
            ],
          },
          tx,
        );
      }
      return merged;
    });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    // The settings are saved: a failing first run is logged (the hourly run tries again).
    if (next.automaticPush)
      await this.runAutomatic('when it was turned on').catch((err: unknown) =>
        this.ctx.log.error({ err }, 'automatic site-wide push'),
      );
    return next;
  }

  /** Automatic site-wide push (ADR 0030, `runAutomaticPush`): after sweeps, hourly, when turned on. */
  runAutomatic(trigger: string): Promise<void> {
    return runAutomaticPush(this.ctx, {
      settings: () => this.settings(),
      createJob: (j) => this.createJob(SYSTEM_ACTOR, j),
      trigger,
    });
  }

  // ---- jobs ----

  /** Why a host gets no attempt (already a client, already pushed), or undefined. */
  private async skipReason(host: string, port: number): Promise<string | undefined> {
    const db = this.ctx.db.kysely;
    const done = await targetForHostInStates(db, host, port, ['succeeded']);
    if (done) return `already pushed successfully (job ${done.job_id}, ${done.updated_at})`;
    const device = (await devicesMatchingHost(db, host))[0];
    if (device) return `already a client: device "${device.name}" (${device.id})`;
    const pending = await targetForHostInStates(db, host, port, PENDING);
    if (pending) return `already being pushed by job ${pending.job_id}`;
    return undefined;
  }

  async startJob(actor: Actor, req: StartPushRequest): Promise<PushJobDetail> {
    authorize(actor, 'enrolment:write');
    const account = await findPushAccount(this.ctx.db.kysely, req.account);
    if (!account)
      throw new NotFoundError('push account', req.account, ErrorCode.PUSH_ACCOUNT_NOT_FOUND);
    const { source, collectionId, hosts } = await requestedHosts(this.ctx.db.kysely, req);
    const parsed = new Map<string, { host: string; port: number }>();
    for (const h of hosts) {
      const t = parseTargetHost(h);
      if (!t) throw new InputError(ErrorCode.INVALID_INPUT, `"${h}" is not a host or host:port`);
      parsed.set(`${t.host}:${t.port}`, t);
    }
    if (parsed.size === 0)
      throw new InputError(ErrorCode.PUSH_NO_TARGETS, 'the push has no target');
    const jobId = await this.createJob(actor, {
      account,
      source,
      collectionId,
      targets: [...parsed.values()],
    });
    return this.getJob(actor, jobId);
  }

  /**
   * Push to discovered machines chosen by a bulk action (ADR 0040): their addresses on port 22,
   * one job, whose audit entry is the bulk action's. Returns the job's id.
   */
  async pushToAddresses(
    actor: Actor,
    p: {
      account: string;
      addresses: readonly string[];
      audit: { action: string; details: Record<string, unknown> };
    },
  ): Promise<string> {
    authorize(actor, 'enrolment:write');
    const account = await findPushAccount(this.ctx.db.kysely, p.account);
    if (!account)
      throw new NotFoundError('push account', p.account, ErrorCode.PUSH_ACCOUNT_NOT_FOUND);
    if (p.addresses.length === 0)
      throw new InputError(ErrorCode.PUSH_NO_TARGETS, 'the push has no target');
    return this.createJob(actor, {
      account,
      source: 'discovered',
      collectionId: null,
      targets: p.addresses.map((host) => ({ host, port: 22 })),
      audit: p.audit,
    });
  }

  /**
   * Records a job and its targets (those already clients, pushed or being pushed are recorded
   * skipped, with the reason), audited, and wakes the runner. Returns the job's id.
   */
  async createJob(
    actor: Actor,
    j: {
      account: PushAccountRow;
      source: PushJobSource;
      collectionId: string | null;
      targets: readonly { host: string; port: number }[];
      /**
       * A bulk action on discovered machines (ADR 0040) records its one audit entry as this
       * job's: its action name, and its selection beside the job's details.
       */
      audit?: { action: string; details: Record<string, unknown> };
    },
  ): Promise<string> {
    const { account } = j;
    const source = j.collectionId === null ? undefined : { id: j.collectionId };
    const at = nowIso(this.ctx);
    const jobId = randomUUID();
    const rows: Insertable<PushTargetTable>[] = [];
    const skipped: { host: string; reason: string }[] = [];
    for (const t of j.targets) {
      const reason = await this.skipReason(t.host, t.port);
      if (reason) skipped.push({ host: t.host, reason });
      rows.push({
        id: randomUUID(),
        job_id: jobId,
        host: t.host,
        port: t.port,
        state: reason ? 'skipped-already-client' : 'queued',
        reason: reason ?? null,
        last_error_code: null,
        last_error: null,
        next_attempt_at: null,
        first_attempt_at: null,
        device_id: null,
        token_id: null,
        claimed_by: null,
        created_at: at,
        updated_at: at,
      });
    }
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await insertPushJob(tx, {
        id: jobId,
        account_id: account.id,
        account_name: account.name,
        source: j.source,
        collection_id: source?.id ?? null,
        created_at: at,
        created_by: actor.userName,
      });
      await insertPushTargets(tx, rows);
      await writeAudit(tx, actor, at, {
        action: j.audit?.action ?? 'push-job.start',
        targetType: 'push-job',
        targetId: jobId,
        details: {
          ...j.audit?.details,
          account: account.name,
          targets: rows.length,
          collection: source?.id ?? null,
        },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'PUSH_JOB_STARTED',
          insertionStrings: [jobId, actor.userName, account.name, String(rows.length)],
        },
        tx,
      );
      for (const s of skipped)
        await raiseSiteStatus(
          this.ctx,
          { message: 'PUSH_TARGET_SKIPPED', insertionStrings: [s.host, s.reason] },
          tx,
        );
    });
    await this.ctx.bus.publish('push-targets-queued', { count: rows.length });
    return jobId;
  }

  async listJobs(actor: Actor): Promise<PushJob[]> {
    authorize(actor, 'read');
    const jobs = await listPushJobs(this.ctx.db.kysely, 200);
    const counts = await targetCounts(
      this.ctx.db.kysely,
      jobs.map((j) => j.id),
    );
    return jobs.map((j) =>
      toJob(
        j,
        Object.fromEntries(counts.filter((c) => c.job_id === j.id).map((c) => [c.state, c.n])),
      ),
    );
  }

  async getJob(actor: Actor, id: string): Promise<PushJobDetail> {
    authorize(actor, 'read');
    const job = await findPushJob(this.ctx.db.kysely, id);
    if (!job) throw new NotFoundError('push job', id, ErrorCode.PUSH_JOB_NOT_FOUND);
    const targets = (await targetsOfJob(this.ctx.db.kysely, id)).map(toTarget);
    const counts: Record<string, number> = {};
    for (const t of targets) counts[t.state] = (counts[t.state] ?? 0) + 1;
    return { ...toJob(job, counts), targets };
  }

  /** A target by id, or the newest for a host (`host` or `host:port`). */
  async getTarget(actor: Actor, idOrHost: string): Promise<PushTargetDetail> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const t = parseTargetHost(idOrHost);
    const row =
      (await findPushTarget(db, idOrHost)) ??
      (t
        ? await latestTargetForHost(db, t.host, /:\d+$/.test(idOrHost) ? t.port : undefined)
        : undefined);
    if (!row) throw new NotFoundError('push target', idOrHost, ErrorCode.PUSH_TARGET_NOT_FOUND);
    const attempts = await attemptsOfTarget(db, row.id);
    return {
      ...toTarget(row),
      attemptLog: attempts.map((a) => ({
        id: a.id,
        number: a.number,
        startedAt: a.started_at,
        finishedAt: a.finished_at,
        outcome: a.outcome,
        errorCode: a.error_code,
        log: a.log === '' ? [] : a.log.split('\n'),
      })),
    };
  }

  /** Brings a retry forward to now (a host that is back, a key that was forgotten). */
  async retryTarget(actor: Actor, idOrHost: string): Promise<PushTarget> {
    authorize(actor, 'enrolment:write');
    const target = await this.getTarget(actor, idOrHost);
    if (target.state !== 'retry-scheduled' && target.state !== 'failed')
      throw new ConflictError(
        ErrorCode.PUSH_TARGET_NOT_RETRYABLE,
        `target ${target.host} is ${target.state}: only a failed or retry-scheduled target is retried`,
      );
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await updatePushTarget(tx, target.id, {
        state: 'retry-scheduled',
        next_attempt_at: at,
        updated_at: at,
        // A target that had given up starts a new retry period.
        ...(target.state === 'failed' ? { first_attempt_at: null } : {}),
      });
      await writeAudit(tx, actor, at, {
        action: 'push-target.retry',
        targetType: 'push-target',
        targetId: target.id,
        details: { host: target.host },
      });
    });
    await this.ctx.bus.publish('push-targets-queued', { count: 1 });
    const row = await findPushTarget(this.ctx.db.kysely, target.id);
    if (!row) throw new NotFoundError('push target', target.id, ErrorCode.PUSH_TARGET_NOT_FOUND);
    return toTarget(row);
  }
}
