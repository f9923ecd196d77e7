import { ApiError, bearerTokenOf } from '@steward/protocol';
import { Option, type Command } from 'commander';
import { createClient } from '../connection.js';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { parseServerUrl } from '../options.js';
import { humanTime } from '../output/format.js';
import { obtainPassword } from '../password.js';
import { deleteSession, readSession, writeSession } from '../session.js';

export function registerAuthCommands(program: Command, ctx: Ctx): void {
  addLogin(program, ctx);
  addLogout(program, ctx);
  addWhoami(program, ctx);
}

function addLogin(program: Command, ctx: Ctx): void {
  const login = program
    .command('login')
    .description('sign in to a site and keep the session for later commands')
    .option(
      '--server <url>',
      'admin URL of the site, e.g. http://127.0.0.1:8080 (default: $STEWARD_SERVER, then the last site)',
    )
    .option('--user <name>', 'user name (default: the last user)')
    .option(
      '--password-stdin',
      'read the password from stdin (otherwise prompt when stdin is a terminal)',
    )
    .addOption(new Option('--password <password>').hideHelp());
  withJson(login);
  action(login, async ({ opts }) => {
    if (opts.string('password') !== undefined) {
      throw usageError(
        'passwords are not taken from the command line (they show in ps and shell history); use --password-stdin',
      );
    }
    const previous = await readSession(ctx.io.env).catch(() => undefined);
    const serverText = opts.string('server') ?? ctx.io.env['STEWARD_SERVER'] ?? previous?.server;
    if (serverText === undefined || serverText === '')
      throw usageError('--server is required (the admin URL of the site)');
    const server = parseServerUrl(serverText, '--server');
    const userName = opts.string('user') ?? previous?.userName;
    if (userName === undefined || userName === '') throw usageError('--user is required');
    const password = await obtainPassword(ctx.io, {
      fromStdin: opts.flag('passwordStdin'),
      prompt: `Password for ${userName}: `,
    });
    const res = await createClient(ctx.io, server).login(userName, password);
    const path = await writeSession(ctx.io.env, {
      server,
      token: bearerTokenOf(res),
      userName: res.user.name,
      role: res.user.role,
      expiresAt: res.expiresAt,
      createdAt: ctx.io.now().toISOString(),
    });
    if (opts.flag('json')) {
      ctx.out.json({ server, user: res.user, expiresAt: res.expiresAt, sessionFile: path });
      return;
    }
    ctx.out.line(
      `Signed in to ${server} as ${res.user.name} (${res.user.role}); the session expires ${humanTime(res.expiresAt, ctx.io.now())}.`,
    );
  });
}

function addLogout(program: Command, ctx: Ctx): void {
  action(program.command('logout').description('end the session and forget it'), async () => {
    const session = await readSession(ctx.io.env).catch(() => undefined);
    if (session !== undefined) {
      try {
        await createClient(ctx.io, session.server, session.token).logout();
      } catch (err) {
        // The local session goes either way; an unreachable or expired site is no reason to keep it.
        if (!(err instanceof ApiError)) throw err;
      }
    }
    const removed = await deleteSession(ctx.io.env);
    ctx.out.line(removed && session ? `Signed out of ${session.server}.` : 'Not signed in.');
  });
}

function addWhoami(program: Command, ctx: Ctx): void {
  const whoami = withJson(
    program.command('whoami').description('show the signed-in user and site'),
  );
  action(whoami, async ({ opts }) => {
    const connection = await ctx.connection();
    const me = await (await ctx.client()).me();
    if (opts.flag('json')) {
      ctx.out.json(me);
      return;
    }
    const via = connection.source === 'env' ? ' (token from STEWARD_TOKEN)' : '';
    ctx.out.line(`${me.name} (${me.role}) at ${connection.server}${via}`);
  });
}
