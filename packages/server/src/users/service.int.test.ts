import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { UserService } from './service.js';

const hasPg = await postgresReachable();

describe.each(testDialects)('users on %s', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    if (!skip) ({ ctx, cleanup } = await createTestContext(dialect));
  });
  afterEach(async () => {
    if (!skip) await cleanup();
  });

  it.skipIf(skip)(
    'creates the first admin once, with a generated password when none is given',
    async () => {
      const users = new UserService(ctx);
      const first = await users.ensureInitialAdmin(undefined);
      expect(first.created).toBe(true);
      expect(first.generatedPassword?.length).toBeGreaterThanOrEqual(16);
      expect(await users.ensureInitialAdmin('another-password')).toEqual({ created: false });
      const login = await users.login('admin', first.generatedPassword ?? '', '127.0.0.1');
      expect(login.user.role).toBe('full-administrator');
      const { actor } = await users.authenticate(login.token);
      expect(actor.userName).toBe('admin');
      await users.logout(actor, login.token);
      await expect(users.authenticate(login.token)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    },
  );

  it.skipIf(skip)('refuses a first admin password that is too short', async () => {
    await expect(new UserService(ctx).ensureInitialAdmin('short')).rejects.toThrow(
      /at least 8 characters/,
    );
    expect(await ctx.db.kysely.selectFrom('admin_user').select('id').execute()).toEqual([]);
  });

  it.skipIf(skip)('never removes or demotes the last Full Administrator', async () => {
    const users = new UserService(ctx);
    await users.ensureInitialAdmin('first-password');
    const admin = { userId: 'x', userName: 'root', role: 'full-administrator' as const };
    const [only] = await users.list(admin);
    await expect(
      users.update(admin, only?.id ?? '', { role: 'read-only-analyst' }),
    ).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    await expect(users.update(admin, only?.id ?? '', { disabled: true })).rejects.toMatchObject({
      code: 'LAST_ADMIN',
    });
    await expect(
      users.create(admin, {
        name: 'admin',
        password: 'another-password',
        role: 'read-only-analyst',
      }),
    ).rejects.toMatchObject({ code: 'USER_NAME_TAKEN' });
  });
});
