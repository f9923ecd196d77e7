import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ClientPushSettingsOptions,
  describeSetting,
  ops,
  settingEntries,
  type ApiClient,
  shownLabel,
  type ClientPushSettings,
  type PushJobDetail,
  type PushServiceMode,
  type PushTarget,
  type StartPushRequest,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { readStdin } from '../password.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';

const SERVICE_MODES: readonly PushServiceMode[] = ['systemd', 'auto', 'none'];

function isServiceMode(v: string): v is PushServiceMode {
  return SERVICE_MODES.some((m) => m === v);
}

/**
 * `steward push`: client push over SSH (issue 9). Secrets are read from a file, stdin or the
 * environment, never from the command line (where `ps` and shell history would keep them).
 */
export function registerClientPushCommands(program: Command, ctx: Ctx): void {
  const push = program
    .command('push')
    .description('install the agent on machines over SSH (client push)');
  addAccountCommands(push, ctx);
  addStart(push, ctx);
  addStatus(push, ctx);
  addLog(push, ctx);
  addRetry(push, ctx);
  addHostKeys(push, ctx);
  addSettings(push, ctx);
}

function addAccountCommands(push: Command, ctx: Ctx): void {
  const account = push
    .command('account')
    .description('push accounts (SSH user and key or password)');
  const add = withJson(
    account
      .command('add <name>')
      .description('store a push account; its key or password is sealed and never shown again')
      .requiredOption('--user <user>', 'the SSH user (root, or a user with passwordless sudo)')
      .option('--key-file <path>', 'the private key (OpenSSH or PEM)')
      .option('--password-stdin', 'read the password from stdin')
      .option(
        '--service <mode>',
        'how the agent is started: systemd (required), auto, none (detached process)',
        'systemd',
      ),
  );
  action(add, async ({ arg, opts }) => {
    const keyFile = opts.string('keyFile');
    const passwordStdin = opts.flag('passwordStdin');
    if ((keyFile === undefined) === !passwordStdin)
      throw usageError('give --key-file <path> or --password-stdin');
    const service = opts.string('service') ?? 'systemd';
    if (!isServiceMode(service)) throw usageError('--service is systemd, auto or none');
    const passphrase = ctx.io.env['STEWARD_PUSH_PASSPHRASE'];
    const body = {
      name: arg(0),
      user: opts.string('user') ?? '',
      serviceMode: service,
      ...(keyFile !== undefined
        ? {
            privateKey: await readFile(resolve(ctx.io.cwd, keyFile), 'utf8'),
            ...(passphrase ? { passphrase } : {}),
          }
        : { password: (await readStdin(ctx.io.stdin)).replace(/\r?\n$/, '') }),
    };
    const created = await (await ctx.client()).call(ops.clientPush.createAccount, { body });
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    ctx.out.line(
      `Push account "${created.name}" stored (${created.authKind}, user ${created.user}).`,
    );
  });

  action(withJson(account.command('list').description('list push accounts')), async ({ opts }) => {
    const accounts = await (await ctx.client()).call(ops.clientPush.listAccounts, {});
    if (opts.flag('json')) {
      ctx.out.json(accounts);
      return;
    }
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'USER' },
        { header: 'AUTH' },
        { header: 'SERVICE' },
        { header: 'CREATED BY', flex: true },
      ],
      accounts.map((a) => [a.name, a.user, a.authKind, a.serviceMode, a.createdBy]),
      'No push accounts.',
    );
  });

  action(account.command('remove <name>').description('remove a push account'), async ({ arg }) => {
    await (await ctx.client()).call(ops.clientPush.deleteAccount, { params: { id: arg(0) } });
    ctx.out.line(`Push account "${arg(0)}" removed.`);
  });

  const test = withJson(
    account
      .command('test <name>')
      .description('connect to a host with the account and run the checks (installs nothing)')
      .requiredOption('--host <host>', 'host or host:port'),
  );
  action(test, async ({ arg, opts }) => {
    const r = await (
      await ctx.client()
    ).call(ops.clientPush.testAccount, {
      params: { id: arg(0) },
      body: { host: opts.string('host') ?? '' },
    });
    if (opts.flag('json')) {
      ctx.out.json(r);
      return;
    }
    for (const l of r.log) ctx.out.line(l);
    if (!r.ok) throw new CliError(r.errorCode ?? 'PUSH_TEST_FAILED', r.message, 1);
  });
}

function printJob(ctx: Ctx, job: PushJobDetail): void {
  ctx.out.heading(`Push job ${job.id}`);
  ctx.out.fields([
    ['Account', job.accountName],
    ['Started', `${job.createdAt} by ${job.createdBy}`],
    [
      'Targets',
      Object.entries(job.counts)
        .map(([s, n]) => `${s} ${n}`)
        .join(', '),
    ],
  ]);
  ctx.out.line();
  printTargets(ctx, job.targets);
}

function printTargets(ctx: Ctx, targets: readonly PushTarget[]): void {
  ctx.out.table(
    [
      { header: 'HOST' },
      { header: 'STATE' },
      { header: 'ATTEMPTS', align: 'right' },
      { header: 'NEXT ATTEMPT' },
      { header: 'LAST ERROR / REASON', flex: true },
    ],
    targets.map((t) => [
      t.port === 22 ? t.host : `${t.host}:${t.port}`,
      t.state,
      String(t.attempts),
      t.nextAttemptAt ?? '-',
      t.reason ?? (t.lastErrorCode ? `${t.lastErrorCode}: ${t.lastError ?? ''}` : '-'),
    ]),
    'No targets.',
  );
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);

/** The request's target part from the flags: exactly one of hosts, collection, discovered. */
function targetsOf(opts: {
  string(name: string): string | undefined;
}): Pick<StartPushRequest, 'hosts' | 'collection' | 'discovered'> {
  const hosts = opts.string('hosts');
  const collection = opts.string('collection');
  const discovered = opts.string('discovered');
  const search = opts.string('discoveredSearch');
  const given = [hosts, collection, discovered ?? search].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw usageError(
      'give one of --hosts <list>, --collection <name>, --discovered <addresses|all> or --discovered-search <text>',
    );
  if (hosts !== undefined) return { hosts: list(hosts) };
  if (collection !== undefined) return { collection };
  return {
    discovered: {
      ...(discovered !== undefined && discovered !== 'all' ? { addresses: list(discovered) } : {}),
      ...(search !== undefined ? { search } : {}),
    },
  };
}

function addStart(push: Command, ctx: Ctx): void {
  const start = withJson(
    push
      .command('start')
      .description(
        'push the agent to hosts, to the devices of a collection, or to discovered machines',
      )
      .requiredOption('--account <name>', 'the push account')
      .option('--hosts <list>', 'comma-separated host names or addresses (host:port allowed)')
      .option('--collection <name>', 'a collection: its devices are the targets')
      .option(
        '--discovered <list>',
        'discovered machines by address (comma-separated), or "all": every one with no agent (SSH on port 22)',
      )
      .option(
        '--discovered-search <text>',
        'the discovered machines with no agent whose address, DNS name, MAC or OS guess contains text',
      ),
  );
  action(start, async ({ opts }) => {
    const job = await (
      await ctx.client()
    ).call(ops.clientPush.startJob, {
      body: { account: opts.string('account') ?? '', ...targetsOf(opts) },
    });
    if (opts.flag('json')) {
      ctx.out.json(job);
      return;
    }
    printJob(ctx, job);
    ctx.out.note(`Follow it with "steward push status ${job.id}".`);
  });
}

function addStatus(push: Command, ctx: Ctx): void {
  const status = withJson(
    push.command('status [job]').description('push jobs, or one job with its targets'),
  );
  action(status, async ({ optionalArg, opts }) => {
    const client = await ctx.client();
    const id = optionalArg(0);
    if (id !== undefined) {
      const job = await client.call(ops.clientPush.getJob, { params: { id } });
      if (opts.flag('json')) {
        ctx.out.json(job);
        return;
      }
      printJob(ctx, job);
      return;
    }
    const jobs = await client.call(ops.clientPush.listJobs, {});
    if (opts.flag('json')) {
      ctx.out.json(jobs);
      return;
    }
    ctx.out.table(
      [
        { header: 'JOB' },
        { header: 'STARTED' },
        { header: 'ACCOUNT' },
        { header: 'TARGETS', flex: true },
      ],
      jobs.map((j) => [
        j.id,
        j.createdAt,
        j.accountName,
        Object.entries(j.counts)
          .map(([s, n]) => `${s} ${n}`)
          .join(', '),
      ]),
      'No push jobs.',
    );
  });
}

function addLog(push: Command, ctx: Ctx): void {
  const log = withJson(
    push
      .command('log <target>')
      .description("a target's attempts and their logs (target id, host or host:port)"),
  );
  action(log, async ({ arg, opts }) => {
    const t = await (await ctx.client()).call(ops.clientPush.getTarget, { params: { id: arg(0) } });
    if (opts.flag('json')) {
      ctx.out.json(t);
      return;
    }
    ctx.out.heading(`${t.host}:${t.port} — ${t.state}`);
    if (t.reason) ctx.out.line(t.reason);
    for (const a of t.attemptLog) {
      ctx.out.line();
      ctx.out.line(
        `Attempt ${a.number} (${a.outcome ?? 'running'}${a.errorCode ? `, ${a.errorCode}` : ''})`,
      );
      for (const l of a.log) ctx.out.line(`  ${l}`);
    }
  });
}

function addRetry(push: Command, ctx: Ctx): void {
  action(
    push.command('retry <target>').description('try a failed or retry-scheduled target now'),
    async ({ arg }) => {
      const t = await (
        await ctx.client()
      ).call(ops.clientPush.retryTarget, {
        params: { id: arg(0) },
      });
      ctx.out.line(`Target ${t.host}:${t.port} will be tried now.`);
    },
  );
}

function addHostKeys(push: Command, ctx: Ctx): void {
  const keys = push.command('host-keys').description('host keys recorded at first contact');
  action(
    withJson(keys.command('list').description('list recorded host keys')),
    async ({ opts }) => {
      const list = await (await ctx.client()).call(ops.clientPush.listHostKeys, {});
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.table(
        [
          { header: 'HOST' },
          { header: 'TYPE' },
          { header: 'FINGERPRINT' },
          { header: 'REFUSED', flex: true },
        ],
        list.map((k) => [
          `${k.host}:${k.port}`,
          k.keyType,
          k.fingerprint,
          k.refusedFingerprint ?? '-',
        ]),
        'No host keys recorded.',
      );
    },
  );
  action(
    keys
      .command('forget <host>')
      .description(
        "forget a host's key (host: every port; host:port: one); the next contact records it",
      ),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.clientPush.forgetHostKey, { params: { host: arg(0) } });
      ctx.out.line(`Host key of ${arg(0)} forgotten.`);
    },
  );
}

function printSettings(ctx: Ctx, s: ClientPushSettings, accountName: string): void {
  ctx.out.fields([
    ...settingEntries(ClientPushSettingsOptions).map(({ key, field }): [string, string] => [
      shownLabel(field),
      describeSetting(field, s[key]),
    ]),
    ['Automatic push account', accountName],
  ]);
}

/** The automatic push account's name (the settings hold its id). */
async function accountNameOf(client: ApiClient, s: ClientPushSettings): Promise<string> {
  if (s.automaticPushAccountId === null) return 'none';
  const accounts = await client.call(ops.clientPush.listAccounts, {});
  return accounts.find((a) => a.id === s.automaticPushAccountId)?.name ?? s.automaticPushAccountId;
}

function addSettings(push: Command, ctx: Ctx): void {
  const settings = push.command('settings').description('client push settings');
  action(withJson(settings.command('show').description('show them')), async ({ opts }) => {
    const client = await ctx.client();
    const s = await client.call(ops.clientPush.getSettings, {});
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    printSettings(ctx, s, await accountNameOf(client, s));
  });
  const set = withJson(
    addSettingFlags(
      settings.command('set').description('change them'),
      ClientPushSettingsOptions,
    ).option(
      '--automatic-push-account <name>',
      'the push account automatic site-wide push uses ("none" clears it)',
    ),
  );
  action(set, async ({ opts }) => {
    const account = opts.string('automaticPushAccount');
    const body = {
      ...readSettingFlags(set, ClientPushSettingsOptions),
      ...(account === undefined
        ? {}
        : { automaticPushAccountId: account === 'none' ? null : account }),
    };
    if (Object.keys(body).length === 0)
      throw usageError('nothing to set: give at least one setting flag (see --help)');
    const client = await ctx.client();
    const s = await client.call(ops.clientPush.updateSettings, { body });
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    printSettings(ctx, s, await accountNameOf(client, s));
  });
}
