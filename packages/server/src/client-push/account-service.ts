import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  type ClientPushSettings,
  type CreatePushAccountRequest,
  type PushAccount,
  type PushHostKey,
  type TestPushAccountResult,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction } from '../db/database.js';
import type { SecretBox } from '../site/secret-box.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { connectAndCheck } from './connect.js';
import { parseTargetHost } from './prerequisites.js';
import {
  deleteHostKeys,
  deletePushAccount,
  findPushAccount,
  insertPushAccount,
  listHostKeys,
  listPushAccounts,
  pushAccountNameTaken,
  type PushAccountRow,
} from './repository.js';
import { PushStepError } from './ssh-session.js';

function toAccount(r: PushAccountRow): PushAccount {
  return {
    id: r.id,
    name: r.name,
    user: r.user_name,
    authKind: r.auth_kind,
    hasPassphrase: r.passphrase !== null,
    serviceMode: r.service_mode,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

/**
 * Push accounts (secrets sealed with the site master key on the way in, never returned; ADR
 * 0024) and the site's record of host keys (trust on first use; ADR 0023).
 */
export class PushAccountService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly secrets: SecretBox,
    private readonly settings: () => Promise<ClientPushSettings>,
  ) {}

  // ---- accounts ----

  async listAccounts(actor: Actor): Promise<PushAccount[]> {
    authorize(actor, 'read');
    return (await listPushAccounts(this.ctx.db.kysely)).map(toAccount);
  }

  async createAccount(actor: Actor, req: CreatePushAccountRequest): Promise<PushAccount> {
    authorize(actor, 'enrolment:write');
    if ((req.privateKey === undefined) === (req.password === undefined))
      throw new InputError(ErrorCode.INVALID_INPUT, 'give either privateKey or password');
    if (req.passphrase !== undefined && req.privateKey === undefined)
      throw new InputError(ErrorCode.INVALID_INPUT, 'a passphrase goes with a private key');
    const secret = req.privateKey ?? req.password ?? '';
    const row: PushAccountRow = {
      id: randomUUID(),
      name: req.name,
      user_name: req.user,
      auth_kind: req.privateKey !== undefined ? 'key' : 'password',
      secret: this.secrets.seal(secret),
      passphrase: req.passphrase === undefined ? null : this.secrets.seal(req.passphrase),
      service_mode: req.serviceMode ?? 'systemd',
      created_at: nowIso(this.ctx),
      created_by: actor.userName,
    };
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      if (await pushAccountNameTaken(tx, row.name))
        throw new ConflictError(
          ErrorCode.PUSH_ACCOUNT_NAME_TAKEN,
          `a push account named "${row.name}" exists`,
        );
      await insertPushAccount(tx, row);
      await writeAudit(tx, actor, row.created_at, {
        action: 'push-account.create',
        targetType: 'push-account',
        targetId: row.id,
        details: { name: row.name, user: row.user_name, authKind: row.auth_kind },
      });
    });
    return toAccount(row);
  }

  async deleteAccount(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'enrolment:write');
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await findPushAccount(tx, idOrName);
      if (!row || !(await deletePushAccount(tx, row.id)))
        throw new NotFoundError('push account', idOrName, ErrorCode.PUSH_ACCOUNT_NOT_FOUND);
      await writeAudit(tx, actor, at, {
        action: 'push-account.delete',
        targetType: 'push-account',
        targetId: row.id,
        details: { name: row.name },
      });
    });
  }

  /** Connects with the account and runs the prerequisite checks, installing nothing. */
  async testAccount(actor: Actor, idOrName: string, host: string): Promise<TestPushAccountResult> {
    authorize(actor, 'enrolment:write');
    const account = await findPushAccount(this.ctx.db.kysely, idOrName);
    if (!account)
      throw new NotFoundError('push account', idOrName, ErrorCode.PUSH_ACCOUNT_NOT_FOUND);
    const t = parseTargetHost(host);
    if (!t) throw new InputError(ErrorCode.INVALID_INPUT, `"${host}" is not a host or host:port`);
    const log: string[] = [];
    const add = { add: (line: string) => log.push(`${nowIso(this.ctx)} ${line}`) };
    try {
      const { session } = await connectAndCheck(
        {
          ctx: this.ctx,
          secrets: this.secrets,
          settings: this.settings,
          signal: new AbortController().signal,
        },
        t,
        account,
        add,
        () => Promise.resolve(),
      );
      session.close();
      return { ok: true, errorCode: null, message: 'connected; prerequisites met', log };
    } catch (err) {
      if (!(err instanceof PushStepError)) throw err;
      add.add(`failed (${err.code}): ${err.message}`);
      return { ok: false, errorCode: err.code, message: err.message, log };
    }
  }

  // ---- host keys ----

  async listHostKeys(actor: Actor): Promise<PushHostKey[]> {
    authorize(actor, 'read');
    return (await listHostKeys(this.ctx.db.kysely)).map((r) => ({
      host: r.host,
      port: r.port,
      keyType: r.key_type,
      fingerprint: r.fingerprint,
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.last_seen_at,
      refusedFingerprint: r.refused_fingerprint,
    }));
  }

  /** `host` forgets every port of the host; `host:port` one. */
  async forgetHostKey(actor: Actor, hostSpec: string): Promise<void> {
    authorize(actor, 'enrolment:write');
    const hasPort =
      /:\d+$/.test(hostSpec) && (!hostSpec.includes('::') || hostSpec.startsWith('['));
    const t = parseTargetHost(hostSpec);
    if (!t)
      throw new InputError(ErrorCode.INVALID_INPUT, `"${hostSpec}" is not a host or host:port`);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const n = await deleteHostKeys(tx, t.host, hasPort ? t.port : undefined);
      if (n === 0)
        throw new NotFoundError('host key of', hostSpec, ErrorCode.PUSH_HOST_KEY_NOT_FOUND);
      await writeAudit(tx, actor, at, {
        action: 'push-host-key.forget',
        targetType: 'push-host-key',
        targetId: hostSpec,
      });
      await raiseSiteStatus(
        this.ctx,
        { message: 'PUSH_HOST_KEY_FORGOTTEN', insertionStrings: [hostSpec, actor.userName] },
        tx,
      );
    });
  }
}
