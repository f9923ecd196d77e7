import type { ApiClient, Role, UpdateUserRequest, User } from '@steward/protocol';
import { Option, type Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { humanTime } from '../output/format.js';
import { obtainPassword } from '../password.js';

export const ROLES: readonly Role[] = [
  'full-administrator',
  'operations-administrator',
  'read-only-analyst',
];

/** Finds a user by id or by name (the API addresses users by id). */
export async function findUser(client: ApiClient, idOrName: string): Promise<User> {
  const users = await client.listUsers();
  const found = users.find((u) => u.id === idOrName) ?? users.find((u) => u.name === idOrName);
  if (found === undefined) throw new CliError('NOT_FOUND', `no user with id or name ${idOrName}`);
  return found;
}

const roleOption = (): Option => new Option('--role <role>', 'the role').choices(ROLES);

export function registerUserCommands(program: Command, ctx: Ctx): void {
  const user = program.command('user').description('console and API users');
  addUserList(user, ctx);
  addUserCreate(user, ctx);
  addUserUpdate(user, ctx);
  addUserDelete(user, ctx);
}

function addUserList(user: Command, ctx: Ctx): void {
  action(withJson(user.command('list').description('list users')), async ({ opts }) => {
    const users = await (await ctx.client()).listUsers();
    if (opts.flag('json')) {
      ctx.out.json(users);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'ID' },
        { header: 'NAME' },
        { header: 'ROLE' },
        { header: 'STATE' },
        { header: 'LAST SIGN-IN' },
        { header: 'CREATED' },
      ],
      users.map((u) => [
        u.id,
        u.name,
        u.role,
        u.disabled ? out.style.yellow('disabled') : 'enabled',
        humanTime(u.lastLoginAt, out.now),
        humanTime(u.createdAt, out.now),
      ]),
      'No users.',
    );
  });
}

function addUserCreate(user: Command, ctx: Ctx): void {
  const create = withJson(
    user
      .command('create')
      .description('create a user (password from stdin, or prompted)')
      .argument('<name>')
      .addOption(roleOption().makeOptionMandatory())
      .option('--password-stdin', 'read the password from stdin'),
  );
  action(create, async ({ opts, arg }) => {
    const role = opts.oneOf('role', ROLES);
    if (role === undefined) throw usageError('--role is required');
    const password = await obtainPassword(ctx.io, {
      fromStdin: opts.flag('passwordStdin'),
      prompt: `Password for ${arg(0)}: `,
      confirm: true,
    });
    const created = await (await ctx.client()).createUser({ name: arg(0), role, password });
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    ctx.out.line(`User ${created.name} created (${created.role}).`);
  });
}

function addUserUpdate(user: Command, ctx: Ctx): void {
  const update = withJson(
    user
      .command('update')
      .description('change a user: role, enabled/disabled, password')
      .argument('<id-or-name>')
      .addOption(roleOption())
      .addOption(new Option('--disable', 'prevent the user from signing in').conflicts('enable'))
      .option('--enable', 'allow the user to sign in again')
      .option('--password-stdin', 'set a new password read from stdin'),
  );
  action(update, async ({ opts, arg }) => {
    const client = await ctx.client();
    const req: UpdateUserRequest = {};
    const role = opts.oneOf('role', ROLES);
    if (role !== undefined) req.role = role;
    if (opts.flag('disable')) req.disabled = true;
    if (opts.flag('enable')) req.disabled = false;
    if (opts.flag('passwordStdin'))
      req.password = await obtainPassword(ctx.io, { fromStdin: true, prompt: '' });
    if (Object.keys(req).length === 0)
      throw usageError('nothing to change: give --role, --disable, --enable or --password-stdin');
    const target = await findUser(client, arg(0));
    const updated = await client.updateUser(target.id, req);
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    ctx.out.line(
      `User ${updated.name} updated (${updated.role}, ${updated.disabled ? 'disabled' : 'enabled'}).`,
    );
  });
}

function addUserDelete(user: Command, ctx: Ctx): void {
  action(
    user.command('delete').description('delete a user').argument('<id-or-name>'),
    async ({ arg }) => {
      const client = await ctx.client();
      const target = await findUser(client, arg(0));
      await client.deleteUser(target.id);
      ctx.out.line(`User ${target.name} deleted.`);
    },
  );
}
