import { ConflictError, NotFoundError, ErrorCode } from '@steward/protocol';
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  CreateDistributionPointRequest,
  DistributionPoint,
  DistributionPointRegistration,
  UpdateDistributionPointRequest,
} from '@steward/protocol';
import { encodeDpToken } from '@steward/protocol/node';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { sha256Hex } from '../enrolment/service.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import {
  deleteDp,
  ensureSiteServerDpRow,
  findDp,
  insertDp,
  loadDistributionPoints,
  updateDpRow,
  type DpRow,
} from './dp-repository.js';
import { type Queryable, inTransaction } from '../db/database.js';

/** A distribution point by id or name; DP_NOT_FOUND (404) when there is none. */
export async function mustFindDp(db: Queryable, idOrName: string): Promise<DpRow> {
  const row = await findDp(db, idOrName);
  if (!row) throw new NotFoundError('distribution point', idOrName, ErrorCode.DP_NOT_FOUND);
  return row;
}

/** A registration token is good for a week; renew it to register (again) later. */
export const DP_TOKEN_DAYS = 7;

/**
 * Distribution points as administrators see them: create (returns the one-time registration
 * token), list, update, delete, renew the token. The site server's own DP always exists and
 * cannot be deleted.
 */
export class DistributionPointService {
  constructor(
    private readonly ctx: SiteContext,
    /** The site's agent URL (where DP processes register) and its CA fingerprint. */
    private readonly site: () => { agentUrl: string; caFingerprint: string },
  ) {}

  /** At site start (mp role): the site server's DP row, with the current agent URL. */
  async ensureSiteServerDp(opts: { url: string; version: string }): Promise<void> {
    await ensureSiteServerDpRow(this.ctx.db.kysely, { ...opts, at: nowIso(this.ctx) });
  }

  private mustFind(idOrName: string): Promise<DpRow> {
    return mustFindDp(this.ctx.db.kysely, idOrName);
  }

  private async load(id: string): Promise<DistributionPoint> {
    const [dp] = await loadDistributionPoints(this.ctx.db.kysely, this.ctx.clock.now(), [id]);
    if (!dp) throw new NotFoundError('distribution point', id, ErrorCode.DP_NOT_FOUND);
    return dp;
  }

  async list(actor: Actor): Promise<DistributionPoint[]> {
    authorize(actor, 'read');
    return loadDistributionPoints(this.ctx.db.kysely, this.ctx.clock.now());
  }

  async get(actor: Actor, idOrName: string): Promise<DistributionPoint> {
    authorize(actor, 'read');
    return this.load((await this.mustFind(idOrName)).id);
  }

  private newToken(dpId: string) {
    const secret = randomBytes(24).toString('base64url');
    const now = this.ctx.clock.now();
    const expiresAt = new Date(now.getTime() + DP_TOKEN_DAYS * 86400_000).toISOString();
    const { agentUrl, caFingerprint } = this.site();
    return {
      hash: sha256Hex(secret),
      expiresAt,
      token: encodeDpToken({ url: agentUrl, caFingerprint, dpId, secret }),
    };
  }

  async create(
    actor: Actor,
    req: CreateDistributionPointRequest,
  ): Promise<DistributionPointRegistration> {
    authorize(actor, 'software:write');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    const token = this.newToken(id);
    await this.write(req.name, async () => {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await insertDp(tx, {
          id,
          name: req.name,
          description: req.description ?? '',
          url: null,
          is_site_server: 0,
          protected: req.protected ? 1 : 0,
          registration_hash: token.hash,
          registration_expires_at: token.expiresAt,
          key_hash: null,
          registered_at: null,
          last_seen_at: null,
          version: null,
          created_at: at,
        });
        await writeAudit(tx, actor, at, {
          action: 'distribution-point.create',
          targetType: 'distribution-point',
          targetId: id,
          details: { name: req.name, protected: req.protected ?? false },
        });
      });
    });
    return {
      distributionPoint: await this.load(id),
      registrationToken: token.token,
      expiresAt: token.expiresAt,
    };
  }

  /** A new one-time token (the old one stops working): to register a rebuilt DP again. */
  async renewToken(actor: Actor, idOrName: string): Promise<DistributionPointRegistration> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    if (row.is_site_server === 1) throw siteServerError('has no registration token');
    const token = this.newToken(row.id);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await updateDpRow(tx, row.id, {
        registration_hash: token.hash,
        registration_expires_at: token.expiresAt,
      });
      await writeAudit(tx, actor, at, {
        action: 'distribution-point.renew-token',
        targetType: 'distribution-point',
        targetId: row.id,
        details: { name: row.name, expiresAt: token.expiresAt },
      });
    });
    return {
      distributionPoint: await this.load(row.id),
      registrationToken: token.token,
      expiresAt: token.expiresAt,
    };
  }

  async update(
    actor: Actor,
    idOrName: string,
    req: UpdateDistributionPointRequest,
  ): Promise<DistributionPoint> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    const at = nowIso(this.ctx);
    const changes = {
      ...(req.name !== undefined ? { name: req.name } : {}),
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.protected !== undefined ? { protected: req.protected ? 1 : 0 } : {}),
    };
    await this.write(req.name ?? row.name, async () => {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await updateDpRow(tx, row.id, changes);
        await writeAudit(tx, actor, at, {
          action: 'distribution-point.update',
          targetType: 'distribution-point',
          targetId: row.id,
          details: { name: row.name, ...req },
        });
      });
    });
    return this.load(row.id);
  }

  async remove(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    if (row.is_site_server === 1) throw siteServerError('cannot be deleted');
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await deleteDp(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'distribution-point.delete',
        targetType: 'distribution-point',
        targetId: row.id,
        details: { name: row.name },
      });
    });
  }

  private async write(name: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.DP_NAME_TAKEN,
          `a distribution point named "${name}" already exists`,
        );
      throw err;
    }
  }
}

function siteServerError(what: string): ConflictError {
  return new ConflictError(
    ErrorCode.DP_IS_SITE_SERVER,
    `the site server's own distribution point ${what}`,
  );
}
