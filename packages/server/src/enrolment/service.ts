import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  ErrorCode,
  type CreateEnrolmentTokenRequest,
  type EnrolmentToken,
  type EnrollRequest,
  type EnrollResponse,
  AppError,
  NotFoundError,
} from '@steward/protocol';
import { encodeEnrolmentToken } from '@steward/protocol/node';
import type { Selectable } from 'kysely';
import type { EnrolmentTokenTable } from '../db/tables/index.js';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { raiseSiteStatus } from '../status/site-status.js';
import type { SiteKeys } from '../site/site-keys.js';
import { digestOptionsFromEnv, RefusalDigest } from './refusal-digest.js';
import { throttleKey } from '../agent-api/refusal-throttle.js';
import { insertDevice } from '../devices/repository.js';
import {
  consumeTokenUse,
  findTokenBySecretHash,
  insertEnrolmentToken,
  listEnrolmentTokens,
  revokeEnrolmentToken,
} from './repository.js';
import { inTransaction } from '../db/database.js';

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

function toToken(row: Selectable<EnrolmentTokenTable>): EnrolmentToken {
  return {
    id: row.id,
    description: row.description,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    maxUses: row.max_uses,
    uses: row.uses,
    revoked: row.revoked === 1,
  };
}

class EnrolmentRefused extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(code === ErrorCode.TOKEN_INVALID ? 401 : 403, code, message);
  }
}

export class EnrolmentService {
  private readonly refusals = new RefusalDigest(digestOptionsFromEnv());
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: SiteContext,
    private readonly keys: SiteKeys,
    /** The agent endpoint URL that tokens carry. */
    private readonly agentUrl: () => string,
  ) {}

  /** Writes the summary of refusals not recorded one by one, once per interval. */
  start(): void {
    this.timer = setInterval(() => {
      this.flushRefusals().catch((err: unknown) =>
        this.ctx.log.warn({ err }, 'refused-enrolment summary not written'),
      );
    }, this.refusals.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushRefusals();
  }

  private async flushRefusals(): Promise<void> {
    const summary = this.refusals.drain();
    if (!summary) return;
    await raiseSiteStatus(this.ctx, {
      message: 'ENROLMENT_REFUSALS_COUNTED',
      insertionStrings: [
        String(summary.count),
        String(summary.addresses),
        String(this.refusals.opts.intervalMs / 1000),
        summary.topAddress,
        String(summary.topCount),
        String(this.refusals.opts.maxItemised),
      ],
    });
  }

  async createToken(actor: Actor, req: CreateEnrolmentTokenRequest): Promise<EnrolmentToken> {
    authorize(actor, 'enrolment:write');
    const secret = randomBytes(24).toString('base64url');
    const now = this.ctx.clock.now();
    const row = {
      id: randomUUID(),
      secret_hash: sha256Hex(secret),
      description: req.description ?? '',
      created_at: now.toISOString(),
      created_by: actor.userName,
      expires_at: new Date(now.getTime() + (req.expiresInHours ?? 24) * 3600_000).toISOString(),
      max_uses: req.maxUses ?? 100,
      uses: 0,
      revoked: 0,
    };
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await insertEnrolmentToken(tx, row);
      await writeAudit(tx, actor, row.created_at, {
        action: 'enrolment-token.create',
        targetType: 'enrolment-token',
        targetId: row.id,
        details: { description: row.description, expiresAt: row.expires_at, maxUses: row.max_uses },
      });
    });
    const token = encodeEnrolmentToken({
      url: this.agentUrl(),
      caFingerprint: this.keys.caFingerprint,
      secret,
    });
    return { ...toToken(row), token };
  }

  async listTokens(actor: Actor): Promise<EnrolmentToken[]> {
    authorize(actor, 'read');
    const rows = await listEnrolmentTokens(this.ctx.db.kysely);
    return rows.map(toToken);
  }

  async revokeToken(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'enrolment:write');
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      if (!(await revokeEnrolmentToken(tx, id))) throw new NotFoundError('enrolment token', id);
      await writeAudit(tx, actor, at, {
        action: 'enrolment-token.revoke',
        targetType: 'enrolment-token',
        targetId: id,
      });
    });
  }

  /**
   * Enrols a machine: checks the token, issues a device id and a random device key (stored only
   * as a hash), in one transaction that also consumes one use of the token. `remoteAddress` is
   * where the request came from: refusals are recorded per address, within a budget.
   */
  async enroll(req: EnrollRequest, remoteAddress = 'unknown'): Promise<EnrollResponse> {
    const from = throttleKey(remoteAddress);
    const at = nowIso(this.ctx);
    const deviceId = randomUUID();
    const deviceKey = randomBytes(32).toString('base64url');
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        const token = await findTokenBySecretHash(tx, sha256Hex(req.secret));
        if (!token)
          throw new EnrolmentRefused(
            ErrorCode.TOKEN_INVALID,
            'the enrolment token is not known to this site',
          );
        if (token.revoked === 1)
          throw new EnrolmentRefused(ErrorCode.TOKEN_REVOKED, 'the enrolment token was revoked');
        if (token.expires_at < at)
          throw new EnrolmentRefused(
            ErrorCode.TOKEN_EXPIRED,
            `the enrolment token expired at ${token.expires_at}`,
          );
        // Conditional increment: two machines racing for the last use cannot both win.
        if (!(await consumeTokenUse(tx, { id: token.id, maxUses: token.max_uses }))) {
          throw new EnrolmentRefused(
            ErrorCode.TOKEN_EXHAUSTED,
            `the enrolment token was already used ${token.max_uses} times`,
          );
        }
        await insertDevice(tx, {
          id: deviceId,
          name: req.hostname,
          keyHash: sha256Hex(deviceKey),
          enrolledAt: at,
          enrolmentTokenId: token.id,
          osFamily: req.osFamily || null,
          agentVersion: req.agentVersion,
          lastContactAt: at,
        });
        await raiseSiteStatus(
          this.ctx,
          {
            message: 'DEVICE_ENROLLED',
            insertionStrings: [req.hostname, token.description || token.id],
            attributes: { deviceId },
            deviceId,
          },
          tx,
        );
      });
    } catch (err) {
      if (err instanceof EnrolmentRefused && this.refusals.record(from)) {
        await raiseSiteStatus(this.ctx, {
          message: 'ENROLMENT_REFUSED',
          insertionStrings: [
            req.hostname,
            err.message,
            from,
            String(this.refusals.opts.intervalMs / 1000),
          ],
          attributes: { remoteAddress: from },
        });
      }
      throw err;
    }
    await this.ctx.bus.publish('inventory-changed', { deviceIds: [deviceId] });
    return {
      deviceId,
      deviceKey,
      siteCode: this.keys.siteCode,
      policySigningKey: this.keys.policySigningPublicPem,
    };
  }
}
