import { NotFoundError, ops, type PrimaryUser, type PrimaryUsersBody } from '@steward/protocol';
import { writeAudit } from '../audit/audit.js';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { inTransaction } from '../db/database.js';
import { primaryUsersOf, replacePrimaryUsers } from './primary-user-repository.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { App } from '../http/types.js';
import { findDeviceByIdOrName } from './repository.js';

/**
 * User device affinity (issue 11): the administrator's primary users of a device; a task
 * sequence's are applied when its run reports them (task-sequences/run-ingest.ts).
 */
export class PrimaryUserService {
  constructor(private readonly ctx: SiteContext) {}

  private async deviceId(idOrName: string): Promise<string> {
    const row = await findDeviceByIdOrName(this.ctx, idOrName);
    if (!row) throw new NotFoundError('device', idOrName);
    return row.id;
  }

  async list(actor: Actor, idOrName: string): Promise<PrimaryUser[]> {
    authorize(actor, 'read');
    return primaryUsersOf(this.ctx.db.kysely, await this.deviceId(idOrName));
  }

  async set(actor: Actor, idOrName: string, body: PrimaryUsersBody): Promise<PrimaryUser[]> {
    authorize(actor, 'devices:write');
    const id = await this.deviceId(idOrName);
    const users = [...new Set(body.users.map((u) => u.trim()))];
    const at = nowIso(this.ctx);
    return inTransaction(this.ctx.db.kysely, async (tx) => {
      await replacePrimaryUsers(tx, id, 'administrator', users, { at, setBy: actor.userName });
      await writeAudit(tx, actor, at, {
        action: 'device.primary-users',
        targetType: 'device',
        targetId: id,
        details: { users },
      });
      return primaryUsersOf(tx, id);
    });
  }
}

export function registerPrimaryUserRoutes(app: App, service: PrimaryUserService): void {
  implement(app, ops.primaryUsers, {
    list: (req) => service.list(actorOf(req), req.params.id),
    set: (req) => service.set(actorOf(req), req.params.id, req.body),
  });
}
