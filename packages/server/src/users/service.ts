import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  ErrorCode,
  type CreateUserRequest,
  type LoginResponse,
  type UpdateUserRequest,
  type User,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import {
  ConflictError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  InputError,
} from '@steward/protocol';
import { generatePassword, hashPassword, verifyPassword } from './password.js';
import { LoginThrottle } from './login-limiter.js';
import * as repo from './repository.js';
import { checkRow } from '../db/corrupt-row.js';
import { inTransaction } from '../db/database.js';

const SESSION_HOURS = 24;
function toUser(row: repo.UserRow): User {
  checkRow('admin_user', row.id, row);
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class UserService {
  private throttle = new LoginThrottle();
  constructor(private readonly ctx: SiteContext) {}

  /**
   * Creates the first Full Administrator when there is no user at all. Returns the password
   * when it was generated, so start-up can print it once.
   */
  async ensureInitialAdmin(
    password: string | undefined,
  ): Promise<{ created: boolean; generatedPassword?: string }> {
    const db = this.ctx.db.kysely;
    if (await repo.anyUserExists(db)) return { created: false };
    if (password !== undefined && password.length < 8) {
      throw new Error(
        'the first admin password (STEWARD_ADMIN_PASSWORD) must have at least 8 characters',
      );
    }
    const pw = password ?? generatePassword();
    const at = nowIso(this.ctx);
    const inserted = await repo.insertUser(db, {
      row: {
        id: randomUUID(),
        name: 'admin',
        password_hash: await hashPassword(pw),
        role: 'full-administrator',
        disabled: 0,
        created_at: at,
        last_login_at: null,
      },
      ifNameFree: true,
    });
    if (!inserted) return { created: false };
    return password ? { created: true } : { created: true, generatedPassword: pw };
  }

  async login(
    userName: string,
    password: string,
    clientAddress: string,
  ): Promise<LoginResponse & { token: string }> {
    const now = this.ctx.clock.now();
    const attempt = { name: userName.toLowerCase(), address: clientAddress };
    const wait = this.throttle.retryAfter(attempt, now.getTime());
    if (wait > 0) {
      throw new RateLimitedError(
        ErrorCode.LOGIN_RATE_LIMITED,
        `too many failed sign-ins; try again in ${wait} s`,
        wait,
      );
    }
    const db = this.ctx.db.kysely;
    const row = await repo.findUserByName(db, userName);
    // Verify against a dummy hash for unknown users too, so timing does not reveal names.
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok || row.disabled === 1) {
      this.throttle.fail(attempt, now.getTime());
      throw new UnauthenticatedError(
        ErrorCode.INVALID_CREDENTIALS,
        'user name or password is wrong, or the account is disabled',
      );
    }
    this.throttle.succeed(attempt, now.getTime());
    const token = randomBytes(32).toString('base64url');
    const at = now.toISOString();
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
    const actor: Actor = { userId: row.id, userName: row.name, role: toUser(row).role };
    await inTransaction(db, async (tx) => {
      await repo.openSession(tx, { sessionId: sessionIdOf(token), userId: row.id, at, expiresAt });
      await writeAudit(tx, actor, at, {
        action: 'user.login',
        targetType: 'user',
        targetId: row.id,
      });
    });
    return { token, expiresAt, user: { ...toUser(row), lastLoginAt: at } };
  }

  /** Ends the session of `token` (the caller's own: `actor` is who it authenticated as). */
  async logout(actor: Actor, token: string): Promise<void> {
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await repo.deleteSession(tx, sessionIdOf(token));
      await writeAudit(tx, actor, at, {
        action: 'user.logout',
        targetType: 'user',
        targetId: actor.userId,
      });
    });
  }

  /** The signed-in user as the site has it now. */
  async me(actor: Actor): Promise<User> {
    const row = await repo.findUserById(this.ctx.db.kysely, actor.userId);
    if (!row) throw new UnauthenticatedError(ErrorCode.UNAUTHENTICATED, 'the account is gone');
    return toUser(row);
  }

  /** Resolves a bearer token to the acting user, or throws 401. */
  async authenticate(token: string): Promise<{ actor: Actor; user: User }> {
    const found = await repo.findSession(this.ctx.db.kysely, sessionIdOf(token));
    if (!found)
      throw new UnauthenticatedError(
        ErrorCode.UNAUTHENTICATED,
        'the session token is not valid; sign in again',
      );
    if (found.expiresAt < nowIso(this.ctx))
      throw new UnauthenticatedError(
        ErrorCode.SESSION_EXPIRED,
        'the session has expired; sign in again',
      );
    if (found.user.disabled === 1)
      throw new UnauthenticatedError(ErrorCode.UNAUTHENTICATED, 'the account is disabled');
    const user = toUser(found.user);
    return { actor: { userId: user.id, userName: user.name, role: user.role }, user };
  }

  async list(actor: Actor): Promise<User[]> {
    authorize(actor, 'users:write');
    return (await repo.listUsers(this.ctx.db.kysely)).map(toUser);
  }

  async create(actor: Actor, req: CreateUserRequest): Promise<User> {
    authorize(actor, 'users:write');
    const db = this.ctx.db.kysely;
    const at = nowIso(this.ctx);
    const id = randomUUID();
    const passwordHash = await hashPassword(req.password);
    await inTransaction(db, async (tx) => {
      if (await repo.findUserByName(tx, req.name))
        throw new ConflictError(
          ErrorCode.USER_NAME_TAKEN,
          `a user named "${req.name}" already exists`,
        );
      await repo.insertUser(tx, {
        row: {
          id,
          name: req.name,
          password_hash: passwordHash,
          role: req.role,
          disabled: 0,
          created_at: at,
          last_login_at: null,
        },
      });
      await writeAudit(tx, actor, at, {
        action: 'user.create',
        targetType: 'user',
        targetId: id,
        details: { name: req.name, role: req.role },
      });
    });
    const row = await repo.findUserById(db, id);
    if (!row) throw new NotFoundError('user', id);
    return toUser(row);
  }

  async update(actor: Actor, id: string, req: UpdateUserRequest): Promise<User> {
    authorize(actor, 'users:write');
    const db = this.ctx.db.kysely;
    const at = nowIso(this.ctx);
    const passwordHash = req.password ? await hashPassword(req.password) : undefined;
    await inTransaction(db, async (tx) => {
      const row = await repo.findUserById(tx, id);
      if (!row) throw new NotFoundError('user', id);
      const losesAdmin =
        (req.role !== undefined && req.role !== 'full-administrator') || req.disabled === true;
      if (
        row.role === 'full-administrator' &&
        losesAdmin &&
        (await repo.countActiveFullAdmins(tx, id)) === 0
      ) {
        throw new ConflictError(ErrorCode.LAST_ADMIN, 'this is the last active Full Administrator');
      }
      await repo.updateUser(tx, {
        id,
        changes: {
          ...(req.role ? { role: req.role } : {}),
          ...(req.disabled === undefined ? {} : { disabled: req.disabled ? 1 : 0 }),
          ...(passwordHash ? { password_hash: passwordHash } : {}),
        },
      });
      if (req.disabled || passwordHash) await repo.deleteSessionsOf(tx, id);
      await writeAudit(tx, actor, at, {
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        details: { role: req.role, disabled: req.disabled, passwordChanged: Boolean(passwordHash) },
      });
    });
    const row = await repo.findUserById(db, id);
    if (!row) throw new NotFoundError('user', id);
    return toUser(row);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'users:write');
    if (id === actor.userId)
      throw new InputError(ErrorCode.INVALID_INPUT, 'you cannot delete your own account');
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await repo.findUserById(tx, id);
      if (!row) throw new NotFoundError('user', id);
      if (row.role === 'full-administrator' && (await repo.countActiveFullAdmins(tx, id)) === 0) {
        throw new ConflictError(ErrorCode.LAST_ADMIN, 'this is the last active Full Administrator');
      }
      await repo.deleteUser(tx, id);
      await writeAudit(tx, actor, at, {
        action: 'user.delete',
        targetType: 'user',
        targetId: id,
        details: { name: row.name },
      });
    });
  }
}

// scrypt hash of a random string: makes failed look-ups cost the same as real ones.
const DUMMY_HASH =
  'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==';
