import type { EnrolmentToken } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { humanTime } from '../output/format.js';
import type { Style } from '../output/style.js';

export function tokenState(
  t: EnrolmentToken,
  now: Date,
): 'revoked' | 'expired' | 'used up' | 'active' {
  if (t.revoked) return 'revoked';
  if (Date.parse(t.expiresAt) <= now.getTime()) return 'expired';
  if (t.uses >= t.maxUses) return 'used up';
  return 'active';
}

function paintState(state: ReturnType<typeof tokenState>, style: Style): string {
  return state === 'active'
    ? style.green(state)
    : state === 'revoked'
      ? style.red(state)
      : style.yellow(state);
}

export function registerTokenCommands(program: Command, ctx: Ctx): void {
  const token = program
    .command('token')
    .description('enrolment tokens: what a new agent needs to join the site');
  addTokenCreate(token, ctx);
  addTokenList(token, ctx);
  addTokenRevoke(token, ctx);
}

function addTokenCreate(token: Command, ctx: Ctx): void {
  const create = withJson(
    token
      .command('create')
      .description('create an enrolment token (the secret is shown once)')
      .option('--description <text>', 'what the token is for')
      .option('--expires-in-hours <n>', 'hours until it stops working (1-8760, default 24)')
      .option('--max-uses <n>', 'how many machines may enrol with it (default 100)'),
  );
  action(create, async ({ opts }) => {
    const description = opts.string('description');
    const expiresInHours = opts.int('expiresInHours', { min: 1, max: 8760 });
    const maxUses = opts.int('maxUses', { min: 1, max: 1_000_000 });
    const created = await (
      await ctx.client()
    ).createToken({
      ...(description !== undefined ? { description } : {}),
      ...(expiresInHours !== undefined ? { expiresInHours } : {}),
      ...(maxUses !== undefined ? { maxUses } : {}),
    });
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    const { out } = ctx;
    out.line(
      `Enrolment token ${created.id} created: valid until ${created.expiresAt} (${humanTime(created.expiresAt, out.now)}), for up to ${created.maxUses} machines.`,
    );
    out.line();
    out.line(`  ${created.token ?? '(the site did not return the secret)'}`);
    out.line();
    out.line('Enrol a machine with:');
    out.line(`  steward-agent enroll --token ${created.token ?? '<token>'}`);
  });
}

function addTokenList(token: Command, ctx: Ctx): void {
  const list = withJson(token.command('list').description('list enrolment tokens'));
  action(list, async ({ opts }) => {
    const tokens = await (await ctx.client()).listTokens();
    if (opts.flag('json')) {
      ctx.out.json(tokens);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'ID' },
        { header: 'STATE' },
        { header: 'USES', align: 'right' },
        { header: 'EXPIRES' },
        { header: 'CREATED' },
        { header: 'BY' },
        { header: 'DESCRIPTION', flex: true },
      ],
      tokens.map((t) => [
        t.id,
        paintState(tokenState(t, out.now), out.style),
        `${t.uses}/${t.maxUses}`,
        humanTime(t.expiresAt, out.now),
        humanTime(t.createdAt, out.now),
        t.createdBy,
        t.description,
      ]),
      'No enrolment tokens.',
    );
  });
}

function addTokenRevoke(token: Command, ctx: Ctx): void {
  action(
    token.command('revoke').description('revoke an enrolment token').argument('<id>', 'token id'),
    async ({ arg }) => {
      const id = arg(0);
      await (await ctx.client()).revokeToken(id);
      ctx.out.line(`Enrolment token ${id} revoked.`);
    },
  );
}
