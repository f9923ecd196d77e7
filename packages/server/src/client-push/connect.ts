import { ErrorCode, type ClientPushSettings, type PushTargetState } from '@steward/protocol';
import { nowIso, type SiteContext } from '../context.js';
import type { SecretBox } from '../site/secret-box.js';
import { raiseSiteStatus } from '../status/site-status.js';
import {
  PROBE_SCRIPT,
  evaluatePrerequisites,
  parseFacts,
  type HostFacts,
} from './prerequisites.js';
import {
  findHostKey,
  recordHostKey,
  updateHostKeySeen,
  type PushAccountRow,
} from './repository.js';
import { PushStepError, SshSession, type OfferedHostKey, type SshAuth } from './ssh-session.js';

/** What connecting needs: the site, its secrets, the push settings, the stop signal. */
export interface ConnectDeps {
  ctx: SiteContext;
  secrets: SecretBox;
  settings: () => Promise<ClientPushSettings>;
  signal: AbortSignal;
}

export const PROBE_TIMEOUT_MS = 60_000;

/** Opens an account's sealed secrets for one connection (never logged, never stored open). */
export function authOf(secrets: SecretBox, account: PushAccountRow): SshAuth {
  switch (account.auth_kind) {
    case 'key':
      return {
        kind: 'key',
        privateKey: secrets.open(account.secret),
        passphrase: account.passphrase === null ? undefined : secrets.open(account.passphrase),
      };
    case 'password':
      return { kind: 'password', password: secrets.open(account.secret) };
  }
}

/**
 * What the probe and host-key checks share with `steward push account test`: connects with the
 * account (checking or recording the host key), runs the prerequisite checks, logs each step.
 * Returns the open session and what the checks found, or throws a PushStepError.
 */
export async function connectAndCheck(
  d: ConnectDeps,
  t: { host: string; port: number },
  account: PushAccountRow,
  log: { add(line: string): void },
  onState: (s: PushTargetState) => Promise<void>,
): Promise<{ session: SshSession; facts: HostFacts }> {
  const settings = await d.settings();
  const recorded = await findHostKey(d.ctx.db.kysely, t.host, t.port);
  log.add(
    `connecting to ${t.host}:${t.port} as "${account.user_name}" (push account "${account.name}", ${account.auth_kind})`,
  );
  let offered: OfferedHostKey | undefined;
  let session: SshSession;
  try {
    const r = await SshSession.connect({
      host: t.host,
      port: t.port,
      user: account.user_name,
      auth: authOf(d.secrets, account),
      timeoutMs: settings.connectTimeoutSeconds * 1000,
      signal: d.signal,
      acceptKey: (k) => {
        offered = k;
        return recorded === undefined || recorded.fingerprint === k.fingerprint;
      },
    });
    session = r.session;
  } catch (err) {
    if (err instanceof PushStepError && err.code === ErrorCode.PUSH_HOST_KEY_CHANGED && recorded) {
      const fp = offered?.fingerprint ?? '?';
      log.add(
        `host key CHANGED: recorded ${recorded.fingerprint} (${recorded.key_type}), offered ${fp}; connection refused before authentication`,
      );
      await updateHostKeySeen(d.ctx.db.kysely, {
        host: t.host,
        port: t.port,
        at: nowIso(d.ctx),
        refusedFingerprint: fp,
      });
      await raiseSiteStatus(d.ctx, {
        message: 'PUSH_HOST_KEY_CHANGED',
        insertionStrings: [t.host, recorded.fingerprint, fp],
      });
      throw new PushStepError(
        ErrorCode.PUSH_HOST_KEY_CHANGED,
        `${t.host}:${t.port} offered host key ${fp}, not ${recorded.fingerprint} recorded at first contact`,
      );
    }
    if (offered && !recorded) await rememberKey(d, t, offered, log);
    throw err;
  }
  if (offered && !recorded) await rememberKey(d, t, offered, log);
  else if (recorded) {
    log.add(`host key ${recorded.fingerprint} matches the one recorded at first contact`);
    await updateHostKeySeen(d.ctx.db.kysely, {
      host: t.host,
      port: t.port,
      at: nowIso(d.ctx),
      refusedFingerprint: null,
    });
  }
  log.add('connected');
  await onState('checking');
  log.add('checking prerequisites');
  const probe = await session.exec(PROBE_SCRIPT, PROBE_TIMEOUT_MS);
  const facts = parseFacts(probe.stdout);
  log.add(
    `checks: os=${facts.osId} ${facts.osVersion} arch=${facts.arch} free=${facts.freeKb === undefined ? '?' : Math.floor(facts.freeKb / 1024)}MB at ${facts.prefix} systemd=${facts.systemd ? 'yes' : 'no'} root=${facts.root ? 'yes' : 'no'}${facts.root ? '' : ` sudo=${facts.sudo ? 'yes' : 'no'}`} node=${facts.node || 'none'}`,
  );
  const failure = evaluatePrerequisites(facts, {
    minFreeDiskMb: settings.minFreeDiskMb,
    serviceMode: account.service_mode,
  });
  if (failure) {
    session.close();
    throw new PushStepError(failure.code, failure.message, failure.permanent);
  }
  log.add('prerequisites met');
  return { session, facts };
}

async function rememberKey(
  d: ConnectDeps,
  t: { host: string; port: number },
  k: OfferedHostKey,
  log: { add(line: string): void },
): Promise<void> {
  const at = nowIso(d.ctx);
  await recordHostKey(d.ctx.db.kysely, {
    host: t.host,
    port: t.port,
    key_type: k.keyType,
    fingerprint: k.fingerprint,
    first_seen_at: at,
    last_seen_at: at,
    refused_fingerprint: null,
  });
  log.add(`first contact: host key ${k.fingerprint} (${k.keyType}) recorded`);
}
