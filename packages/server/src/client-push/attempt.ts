import { randomUUID } from 'node:crypto';
import { ErrorCode, type ClientPushSettings, type PushTargetState } from '@steward/protocol';
import { SYSTEM_ACTOR, nowIso, type SiteContext } from '../context.js';
import type { EnrolmentService } from '../enrolment/service.js';
import { devicesMatchingHost } from '../devices/repository.js';
import { linkMachineToDevice } from '../discovery/repository.js';
import type { EnrolmentWaiter } from './enrolment-waiter.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { readAgentVersionSettings } from '../agent-versions/service.js';
import { createReadStream } from 'node:fs';
import type { ContentStore } from '../content/content-store.js';
import { choosePushPackage, type PushPackage } from './agent-package.js';
import { parseInstallLines, shellQuote, type HostFacts } from './prerequisites.js';
import {
  findPushAccount,
  findPushJob,
  insertPushAttempt,
  updatePushAttempt,
  updatePushTarget,
  type PushAccountRow,
  type PushTargetRow,
} from './repository.js';
import { PushStepError, type SshSession } from './ssh-session.js';
import { PROBE_TIMEOUT_MS, connectAndCheck, type ConnectDeps } from './connect.js';

export interface AttemptDeps extends ConnectDeps {
  enrolment: EnrolmentService;
  /** The content library: the production agent version's files are read from it. */
  store: ContentStore;
  /** Tells the attempt when its agent has enrolled and reported inventory (one per runner). */
  waiter: EnrolmentWaiter;
  /**
   * Called once the SSH session is closed: waiting for enrolment holds no session, so the runner
   * gives the slot to the next target (`maxConcurrentSessions` counts SSH sessions).
   */
  onSessionClosed?: () => void;
}

/** The ccm.log analog: timestamped lines, written to the attempt row as they come. */
class AttemptLog {
  readonly lines: string[] = [];
  constructor(private readonly ctx: SiteContext) {}
  add(line: string): void {
    this.lines.push(`${nowIso(this.ctx)} ${line}`);
  }
  text(): string {
    return this.lines.join('\n');
  }
}

const INSTALL_TIMEOUT_MS = 10 * 60_000;

/**
 * Copies the production version's package and runs install-agent.sh with a single-use token, in
 * one command whose standard input is the tarball: one channel and one remote shell for copy,
 * unpack and install (before, mktemp, an SFTP channel and the install were three round trips,
 * each a process start on the target). A single executable, when the target needs one, follows
 * over SFTP into the unpacked tree. Logs install-agent.sh's step lines.
 */
async function install(
  d: AttemptDeps,
  target: PushTargetRow,
  account: PushAccountRow,
  session: SshSession,
  facts: HostFacts,
  log: AttemptLog,
  attemptId: string,
  onState: (s: PushTargetState) => Promise<void>,
): Promise<string> {
  const pkg = await choosePushPackage(d.ctx.db.kysely, d.store, facts);
  log.add(
    `agent ${pkg.version} (production): ${pkg.tarball.name}${pkg.sea ? ` + ${pkg.sea.name}` : ''} (${pkg.why})`,
  );
  // What this attempt installs: client deployment status counts it towards this version.
  await updatePushAttempt(d.ctx.db.kysely, attemptId, { agent_version: pkg.version });
  const token = await d.enrolment.createToken(SYSTEM_ACTOR, {
    description: `client push to ${target.host} (job ${target.job_id})`,
    maxUses: 1,
    expiresInHours: 2,
  });
  await updatePushTarget(d.ctx.db.kysely, target.id, { token_id: token.id });
  log.add(`single-use enrolment token ${token.id} created`);
  await onState('copying');
  const sudo = account.user_name === 'root' ? '' : 'sudo -n ';
  const args = (secret: string): string =>
    `${sudo}sh steward-agent/install-agent.sh --token ${secret} --service ${account.service_mode}` +
    ' ${STEWARD_PREFIX:+--prefix "$STEWARD_PREFIX"} ${STEWARD_STATE_DIR:+--state-dir "$STEWARD_STATE_DIR"}';
  let dir = '';
  if (pkg.sea) {
    // The single executable goes in before install-agent.sh runs, so the unpack is a step apart.
    dir = await unpackWithSea(session, pkg, log);
  }
  log.add(
    `${pkg.sea ? 'installing from' : 'copying the tarball into'} a temporary folder and running: ${args('<token>')}`,
  );
  const copy = { done: false };
  const installing = (): void => {
    copy.done = true;
    log.add(`copied ${pkg.tarball.size} bytes`);
    void onState('installing');
  };
  const cmd = pkg.sea
    ? `cd ${shellQuote(dir)} && ${args(shellQuote(token.token ?? ''))}; rc=$?; cd /; rm -rf ${shellQuote(dir)}; exit $rc`
    : `d=$(mktemp -d /tmp/steward-push.XXXXXX) || exit 97; cd "$d" && tar -xzf - && ` +
      `${args(shellQuote(token.token ?? ''))}; rc=$?; cd /; rm -rf "$d"; exit $rc`;
  if (pkg.sea) installing();
  const r = await session.exec(
    cmd,
    INSTALL_TIMEOUT_MS,
    pkg.sea ? undefined : { stream: createReadStream(pkg.tarball.path), onDone: installing },
  );
  const lines = parseInstallLines(r.stdout);
  for (const l of lines) log.add(`install: step=${l.step} status=${l.status} ${l.detail}`);
  const errTail = r.stderr.trim().split('\n').filter(Boolean).slice(-10);
  for (const l of errTail) log.add(`install stderr: ${l}`);
  if (r.code !== 0) {
    const failed = lines.find((l) => l.status !== 'ok');
    if (!copy.done)
      throw new PushStepError(
        ErrorCode.PUSH_COPY_FAILED,
        `the target stopped reading the tarball (exit ${String(r.code)}): ${errTail.at(-1) ?? ''}`,
      );
    throw new PushStepError(
      ErrorCode.PUSH_INSTALL_FAILED,
      `install-agent.sh exited ${String(r.code)}${failed ? ` (step ${failed.step}: ${failed.detail})` : ''}`,
    );
  }
  log.add(`install-agent.sh exited 0`);
  return token.id;
}

/** mktemp, the tarball unpacked from standard input, then the single executable over SFTP. */
async function unpackWithSea(
  session: SshSession,
  pkg: PushPackage,
  log: AttemptLog,
): Promise<string> {
  const r = await session.exec(
    'd=$(mktemp -d /tmp/steward-push.XXXXXX) && cd "$d" && tar -xzf - && mkdir -p steward-agent/bin && echo "$d"',
    PROBE_TIMEOUT_MS,
    { stream: createReadStream(pkg.tarball.path) },
  );
  const dir = r.stdout.trim();
  if (r.code !== 0 || !dir.startsWith('/tmp/steward-push.'))
    throw new PushStepError(
      ErrorCode.PUSH_COPY_FAILED,
      `unpacking the tarball failed: ${r.stderr.trim()}`,
    );
  const sea = pkg.sea;
  if (sea) {
    log.add(`copying ${sea.name} (${sea.size} bytes, SFTP)`);
    await session.put(sea.path, `${dir}/steward-agent/bin/steward-agent-sea`);
    const c = await session.exec(
      `chmod 0755 ${shellQuote(`${dir}/steward-agent/bin/steward-agent-sea`)}`,
      PROBE_TIMEOUT_MS,
    );
    if (c.code !== 0)
      throw new PushStepError(ErrorCode.PUSH_COPY_FAILED, `chmod failed: ${c.stderr.trim()}`);
  }
  return dir;
}

/** Waits until the device enrolled with the token has reported its inventory. */
function waitForEnrolment(
  d: AttemptDeps,
  tokenId: string,
  timeoutMs: number,
): Promise<{ id: string; name: string }> {
  return d.waiter.wait(tokenId, {
    timeoutMs,
    signal: d.signal,
    onAbort: () => new PushStepError(ErrorCode.PUSH_SESSION_FAILED, 'the site server is stopping'),
    onTimeout: (device) =>
      new PushStepError(
        ErrorCode.PUSH_ENROLMENT_TIMEOUT,
        device
          ? `device ${device.id} enrolled but reported no inventory within ${timeoutMs / 1000} s`
          : `the agent did not enrol within ${timeoutMs / 1000} s`,
      ),
  });
}

/** When a failed target is tried next, or null when it has given up. */
function nextAttemptAt(
  now: Date,
  firstAttemptAt: string,
  settings: ClientPushSettings,
  permanent: boolean,
): string | null {
  if (permanent) return null;
  const next = now.getTime() + settings.retryIntervalMinutes * 60_000;
  const until = Date.parse(firstAttemptAt) + settings.retryForDays * 86400_000;
  return next <= until ? new Date(next).toISOString() : null;
}

/**
 * One attempt at a claimed target: the machine is not already a client, connect (host key),
 * prerequisites, copy, install, then success only once the agent enrolled and reported
 * inventory. Every step goes to the attempt's log and the target's state.
 */
export async function runAttempt(d: AttemptDeps, target: PushTargetRow): Promise<void> {
  const db = d.ctx.db.kysely;
  const matches = await devicesMatchingHost(db, target.host);
  const known = matches[0];
  if (known) {
    const reason = `already a client: device "${known.name}" (${known.id})`;
    await updatePushTarget(db, target.id, {
      state: 'skipped-already-client',
      reason,
      device_id: known.id,
      claimed_by: null,
      updated_at: nowIso(d.ctx),
    });
    await raiseSiteStatus(d.ctx, {
      message: 'PUSH_TARGET_SKIPPED',
      insertionStrings: [target.host, reason],
    });
    return;
  }
  const number = target.attempts + 1;
  const startedAt = nowIso(d.ctx);
  const firstAttemptAt = target.first_attempt_at ?? startedAt;
  const attemptId = randomUUID();
  const log = new AttemptLog(d.ctx);
  await insertPushAttempt(db, {
    id: attemptId,
    target_id: target.id,
    number,
    started_at: startedAt,
    finished_at: null,
    outcome: null,
    error_code: null,
    log: '',
    // The production version at push time, until the package copied says which it is.
    agent_version: (await readAgentVersionSettings(db)).productionVersion,
  });
  await updatePushTarget(db, target.id, {
    attempts: number,
    first_attempt_at: firstAttemptAt,
    next_attempt_at: null,
    reason: null,
    updated_at: startedAt,
  });
  const onState = async (state: PushTargetState): Promise<void> => {
    await updatePushTarget(db, target.id, { state, updated_at: nowIso(d.ctx) });
    await updatePushAttempt(db, attemptId, { log: log.text() });
  };
  log.add(`attempt ${number} at ${target.host}:${target.port} (job ${target.job_id})`);
  let session: SshSession | undefined;
  try {
    const job = await findPushJob(db, target.job_id);
    const account = job ? await findPushAccount(db, job.account_id) : undefined;
    if (!account)
      throw new PushStepError(
        ErrorCode.PUSH_ACCOUNT_NOT_FOUND,
        `push account "${job?.account_name ?? '?'}" no longer exists`,
        true,
      );
    const checked = await connectAndCheck(d, target, account, log, onState);
    session = checked.session;
    const tokenId = await install(
      d,
      target,
      account,
      session,
      checked.facts,
      log,
      attemptId,
      onState,
    );
    session.close();
    session = undefined;
    d.onSessionClosed?.();
    await onState('waiting-for-enrolment');
    const timeout = (await d.settings()).enrolmentTimeoutSeconds * 1000;
    log.add(`waiting up to ${timeout / 1000} s for the agent to enrol and report its inventory`);
    const device = await waitForEnrolment(d, tokenId, timeout);
    log.add(
      `device "${device.name}" (${device.id}) enrolled and reported its inventory: succeeded`,
    );
    const at = nowIso(d.ctx);
    await updatePushTarget(db, target.id, {
      state: 'succeeded',
      device_id: device.id,
      last_error_code: null,
      last_error: null,
      claimed_by: null,
      updated_at: at,
    });
    await updatePushAttempt(db, attemptId, {
      log: log.text(),
      finished_at: at,
      outcome: 'succeeded',
    });
    await linkMachineToDevice(db, { address: target.host, deviceId: device.id });
    await raiseSiteStatus(d.ctx, {
      message: 'PUSH_TARGET_SUCCEEDED',
      insertionStrings: [target.host, device.id, String(number)],
      deviceId: device.id,
    });
  } catch (err) {
    session?.close();
    await recordFailure(d, { target, attemptId, number, firstAttemptAt, log, err });
  }
}

async function recordFailure(
  d: AttemptDeps,
  f: {
    target: PushTargetRow;
    attemptId: string;
    number: number;
    firstAttemptAt: string;
    log: AttemptLog;
    err: unknown;
  },
): Promise<void> {
  const db = d.ctx.db.kysely;
  const step =
    f.err instanceof PushStepError
      ? f.err
      : new PushStepError(
          ErrorCode.PUSH_SESSION_FAILED,
          f.err instanceof Error ? f.err.message : String(f.err),
        );
  if (!(f.err instanceof PushStepError))
    d.ctx.log.warn({ err: f.err, target: f.target.id }, 'client push attempt failed unexpectedly');
  const at = nowIso(d.ctx);
  f.log.add(`failed (${step.code}): ${step.message}`);
  const stopping = d.signal.aborted;
  const next = stopping
    ? null
    : nextAttemptAt(d.ctx.clock.now(), f.firstAttemptAt, await d.settings(), step.permanent);
  const state: PushTargetState = stopping ? 'queued' : next ? 'retry-scheduled' : 'failed';
  if (next) f.log.add(`next attempt at ${next}`);
  else if (stopping) f.log.add('the site server stopped: the target is queued again');
  else f.log.add('no further attempt');
  await updatePushTarget(db, f.target.id, {
    state,
    next_attempt_at: next,
    last_error_code: step.code,
    last_error: step.message,
    claimed_by: null,
    updated_at: at,
  });
  await updatePushAttempt(db, f.attemptId, {
    log: f.log.text(),
    finished_at: at,
    outcome: 'failed',
    error_code: step.code,
  });
  if (stopping) return;
  await raiseSiteStatus(d.ctx, {
    message: 'PUSH_ATTEMPT_FAILED',
    insertionStrings: [f.target.host, String(f.number), step.code, step.message, next ?? 'none'],
  });
  if (!next)
    await raiseSiteStatus(d.ctx, {
      message: 'PUSH_TARGET_GAVE_UP',
      insertionStrings: [f.target.host, String(f.number), step.code, step.message],
    });
}
