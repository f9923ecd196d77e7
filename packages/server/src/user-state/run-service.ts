import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  ErrorCode,
  NotFoundError,
  UnavailableError,
  USER_STATE_GRANT,
  type UserStateCapturedRequest,
  type UserStateRecord,
  type UserStateTransfer,
} from '@steward/protocol';
import { nowIso, type SiteContext } from '../context.js';
import type { KnownCaller } from '../agent-api/endpoint-guard.js';
import { BOOT_COMPUTER, RunTokenAuth, signRunToken } from '../boot-images/run-token.js';
import type { SiteKeys } from '../site/site-keys.js';
import type { SecretBox } from '../site/secret-box.js';
import { inTransaction } from '../db/database.js';
import { raiseSiteStatus } from '../status/site-status.js';
import * as repo from './repository.js';
import { toRecord, UserStateService } from './service.js';

/** The grant a state migration point checks for one record: `user-state:<put|get>:<id>`. */
export function recordGrant(access: 'put' | 'get', recordId: string): string {
  return `${USER_STATE_GRANT}:${access}:${recordId}`;
}

/**
 * A task-sequence run's user-state calls (issue 11, ADR 0096), authorised by the run's token
 * (the boot environment's capture token with the `user-state` grant, for `boot:<computer id>`).
 * The site picks a state migration point, makes the record and its key, and hands the key only
 * to the run that owns the record (the capturing source, or the destination restoring it); the
 * point gets a token for that one record and never the key.
 */
export class UserStateRunService {
  /** The run's token, checked in `onRequest` before the body is read. */
  readonly auth: RunTokenAuth['auth'];
  readonly caller: KnownCaller;

  constructor(
    private readonly ctx: SiteContext,
    private readonly keys: SiteKeys,
    private readonly box: SecretBox,
    private readonly service: UserStateService,
  ) {
    const token = new RunTokenAuth(ctx, keys, USER_STATE_GRANT, 'user-state transfers');
    this.auth = token.auth;
    this.caller = token.caller;
  }

  private get db() {
    return this.ctx.db.kysely;
  }

  private async computerOf(req: FastifyRequest): Promise<{ id: string; name: string }> {
    const claims = await this.auth.get(req);
    const id = claims.deviceId.slice(BOOT_COMPUTER.length);
    const found = await this.service.findComputer(id);
    return { id, name: found?.name ?? id };
  }

  private pointToken(computerId: string, access: 'put' | 'get', recordId: string): string {
    return signRunToken(this.ctx, this.keys, computerId, [recordGrant(access, recordId)]);
  }

  /**
   * A new record for the run's computer on the first enabled point with room (fewer records
   * than its maximum clients; its free space is the point's own check when the upload comes).
   * Its destination is the computer the source is associated with, else the source itself.
   */
  async capture(req: FastifyRequest): Promise<UserStateTransfer> {
    const source = await this.computerOf(req);
    const at = nowIso(this.ctx);
    const key = UserStateService.newKey();
    return inTransaction(this.db, async (tx) => {
      const points = await repo.enabledPoints(tx);
      let chosen: (typeof points)[number] | undefined;
      for (const p of points)
        if (p.url && (await repo.countHolding(tx, p.dp_id)) < p.max_clients) {
          chosen = p;
          break;
        }
      if (!chosen?.url)
        throw new UnavailableError(
          ErrorCode.SMP_UNAVAILABLE,
          points.length === 0
            ? 'no state migration point is enabled: enable the role on a distribution point (steward dp smp set <dp> --smp)'
            : 'every state migration point holds its maximum clients: raise it or delete records',
        );
      const association = await repo.findAssociationBySource(tx, source.id);
      const destination = association
        ? { id: association.destination_computer_id, name: association.destination_name }
        : source;
      const id = randomUUID();
      await repo.insertRecord(tx, {
        id,
        source_computer_id: source.id,
        source_name: source.name,
        destination_computer_id: destination.id,
        destination_name: destination.name,
        state: 'requested',
        store: 'state-migration-point',
        dp_id: chosen.dp_id,
        sealed_key: this.box.seal(key),
        size_bytes: null,
        sha256: null,
        created_at: at,
        captured_at: null,
        restored_at: null,
        expired_at: null,
      });
      return {
        recordId: id,
        key,
        dpId: chosen.dp_id,
        url: chosen.url,
        token: this.pointToken(source.id, 'put', id),
        sizeBytes: null,
        sha256: null,
      };
    });
  }

  /** A record of the run's computer (as source for `captured`, as destination for `restored`). */
  private async own(
    req: FastifyRequest,
    id: string,
    as: 'source' | 'destination',
  ): Promise<repo.UserStateRow> {
    const computer = await this.computerOf(req);
    const row = await repo.findRecord(this.db, id);
    const owner = as === 'source' ? row?.source_computer_id : row?.destination_computer_id;
    if (!row || owner !== computer.id)
      throw new NotFoundError('user-state record', id, ErrorCode.USER_STATE_NOT_FOUND);
    return row;
  }

  private async answer(id: string): Promise<UserStateRecord> {
    const row = await repo.findRecord(this.db, id);
    if (!row) throw new NotFoundError('user-state record', id, ErrorCode.USER_STATE_NOT_FOUND);
    const dp = (await repo.dpsById(this.db)).get(row.dp_id);
    return toRecord(row, dp?.name ?? row.dp_id);
  }

  async captured(
    req: FastifyRequest,
    id: string,
    body: UserStateCapturedRequest,
  ): Promise<UserStateRecord> {
    const row = await this.own(req, id, 'source');
    const dp = (await repo.dpsById(this.db)).get(row.dp_id);
    await inTransaction(this.db, async (tx) => {
      await repo.updateRecord(tx, id, {
        state: 'captured',
        size_bytes: body.sizeBytes,
        sha256: body.sha256,
        captured_at: nowIso(this.ctx),
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'USER_STATE_CAPTURED',
          insertionStrings: [
            row.source_name,
            dp?.name ?? row.dp_id,
            row.destination_name,
            id,
            String(body.sizeBytes),
          ],
          attributes: { recordId: id, dpId: row.dp_id },
        },
        tx,
      );
    });
    return this.answer(id);
  }

  /** The newest captured record meant for the run's computer, with its key and a read token. */
  async restore(req: FastifyRequest): Promise<UserStateTransfer> {
    const computer = await this.computerOf(req);
    const row = await repo.newestCapturedFor(this.db, computer.id);
    const dp = row ? (await repo.dpsById(this.db)).get(row.dp_id) : undefined;
    if (!row || !dp?.url)
      throw new NotFoundError(
        'captured user state for computer',
        computer.name,
        ErrorCode.USER_STATE_NOT_CAPTURED,
      );
    return {
      recordId: row.id,
      key: this.box.open(row.sealed_key),
      dpId: row.dp_id,
      url: dp.url,
      token: this.pointToken(computer.id, 'get', row.id),
      sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
      sha256: row.sha256,
    };
  }

  async restored(req: FastifyRequest, id: string): Promise<UserStateRecord> {
    const row = await this.own(req, id, 'destination');
    await inTransaction(this.db, async (tx) => {
      await repo.updateRecord(tx, id, { state: 'restored', restored_at: nowIso(this.ctx) });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'USER_STATE_RESTORED',
          insertionStrings: [row.source_name, id, row.destination_name],
          attributes: { recordId: id, dpId: row.dp_id },
        },
        tx,
      );
    });
    return this.answer(id);
  }
}
