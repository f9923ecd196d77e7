import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CustomUpdateInput,
  CustomUpdatePatch,
  ops,
  type CustomUpdate,
  type DetectionRule,
  type RuleSet,
} from '@steward/protocol';
import { Value } from '@sinclair/typebox/value';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { humanTime } from '../output/format.js';
import { addCustomComplianceCommand } from './update-custom-compliance.js';

/** One rule in the words `show` prints and the flags take. */
export function ruleText(r: DetectionRule): string {
  switch (r.kind) {
    case 'package':
      return `package ${r.package}${r.architecture ? `:${r.architecture}` : ''} >= ${r.minVersion}`;
    case 'file-exists':
      return `file ${r.path} exists`;
    case 'file-sha256':
      return `file ${r.path} has SHA-256 ${r.sha256}`;
    case 'command':
      return `command \`${r.command}\` exits ${String(r.exitCode ?? 0)} (timeout ${String(r.timeoutSeconds ?? 30)} s)`;
  }
}

const setText = (s: RuleSet | null) =>
  s === null ? 'every machine' : `${s.match} of: ${s.rules.map(ruleText).join('; ')}`;

function print(ctx: Ctx, u: CustomUpdate): void {
  const program = (p: CustomUpdate['installProgram']) =>
    p === null ? '-' : `${p.packageName} / ${p.name} (${p.id})`;
  ctx.out.fields([
    ['Custom update', `${u.title} (${u.id})`],
    ['Identity', `${u.vendor} ${u.product} ${u.version}`],
    ['Classification', `${u.classification}, severity ${u.severity}`],
    ['CVEs', u.references.cves.join(', ') || '-'],
    ['Links', u.references.links.join(' ') || '-'],
    ['Applies to', setText(u.applicability)],
    ['Installed when', setText(u.detection)],
    ['Install program', program(u.installProgram)],
    ['Uninstall program', program(u.uninstallProgram)],
    ['Changed', humanTime(u.updatedAt, ctx.io.now())],
  ]);
}

/** `--package name>=version`, `--file PATH`, `--sha256 PATH=HASH`, `--command CMD` as rules. */
function rulesFrom(opts: Opts, prefix: '' | 'if-'): DetectionRule[] {
  const rules: DetectionRule[] = [];
  // commander's keys: --if-package is ifPackage.
  const key = (n: string) => (prefix === '' ? n : `if${n[0]?.toUpperCase() ?? ''}${n.slice(1)}`);
  for (const p of opts.strings(key('package'))) {
    const m = /^([^:>=\s]+)(?::([^>=\s]+))?(?:>=(\S+))?$/.exec(p);
    if (!m?.[1]) throw usageError(`--${prefix}package ${p}: expected NAME[:ARCH][>=VERSION]`);
    // No version: any installed version (every Debian version is at or above 0).
    rules.push({
      kind: 'package',
      package: m[1],
      minVersion: m[3] ?? '0',
      ...(m[2] ? { architecture: m[2] } : {}),
    });
  }
  for (const path of opts.strings(key('file'))) rules.push({ kind: 'file-exists', path });
  for (const h of opts.strings(key('sha256'))) {
    const at = h.lastIndexOf('=');
    if (at <= 0) throw usageError(`--${prefix}sha256 ${h}: expected PATH=HASH`);
    rules.push({
      kind: 'file-sha256',
      path: h.slice(0, at),
      sha256: h.slice(at + 1).toLowerCase(),
    });
  }
  const timeout = opts.int('timeout', { min: 1, max: 600 });
  for (const command of opts.strings(key('command')))
    rules.push({
      kind: 'command',
      command,
      ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    });
  return rules;
}

function ruleFlags(cmd: Command): Command {
  return cmd
    .option(
      '--package <name[:arch][>=version]>',
      'installed when the package is at/above (repeatable)',
      collect,
    )
    .option('--file <path>', 'installed when the file exists (repeatable)', collect)
    .option(
      '--sha256 <path=hash>',
      "installed when the file's SHA-256 equals (repeatable)",
      collect,
    )
    .option('--command <cmd>', 'installed when `sh -c cmd` exits 0 (repeatable)', collect)
    .option('--timeout <seconds>', 'command rules time out after (1-600, default 30)')
    .option('--any', 'installed when any rule holds (default: all)')
    .option(
      '--if-package <name[:arch][>=version]>',
      'applies only where installed (repeatable)',
      collect,
    )
    .option('--if-file <path>', 'applies only where the file exists (repeatable)', collect)
    .option('--if-command <cmd>', 'applies only where `sh -c cmd` exits 0 (repeatable)', collect)
    .option('--if-any', 'applies when any applicability rule holds (default: all)');
}

function ruleSets(opts: Opts): { detection?: RuleSet; applicability?: RuleSet } {
  const detection = rulesFrom(opts, '');
  const applicability = rulesFrom(opts, 'if-');
  return {
    ...(detection.length > 0
      ? { detection: { match: opts.flag('any') ? 'any' : 'all', rules: detection } }
      : {}),
    ...(applicability.length > 0
      ? { applicability: { match: opts.flag('ifAny') ? 'any' : 'all', rules: applicability } }
      : {}),
  };
}

/** Fields given as flags (identity, classification, references, programs). */
function fieldFlags(opts: Opts): Record<string, unknown> {
  const program = (name: string) => {
    const v = opts.string(name);
    return v === undefined ? undefined : v === 'none' ? null : v;
  };
  const cves = opts.strings('cve');
  const links = opts.strings('link');
  const out: Record<string, unknown> = {
    title: opts.string('title'),
    vendor: opts.string('vendor'),
    product: opts.string('product'),
    version: opts.string('productVersion'),
    classification: opts.string('classification'),
    severity: opts.string('severity'),
    description: opts.string('description'),
    references: cves.length + links.length > 0 ? { cves, links } : undefined,
    installProgramId: program('installProgram'),
    uninstallProgramId: program('uninstallProgram'),
    ...ruleSets(opts),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

function fieldOptions(cmd: Command): Command {
  return ruleFlags(
    cmd
      .option('--from <file.json>', 'the custom update as JSON (flags given as well override it)')
      .option('--title <text>', 'what the update is called')
      .option('--vendor <name>', 'its vendor (identity: vendor, product, version)')
      .option('--product <name>', 'its product')
      .option('--product-version <version>', 'its version')
      .option('--classification <security|updates|other>', 'default other')
      .option('--severity <critical|high|medium|low|unknown>', 'default unknown')
      .option('--description <text>', 'a description')
      .option('--cve <id>', 'a CVE it fixes (repeatable)', collect)
      .option('--link <url>', 'a reference link (repeatable)', collect)
      .option('--install-program <program id>', 'the program that installs it ("none" to clear)')
      .option('--uninstall-program <program id>', 'the program that removes it ("none" to clear)'),
  );
}

async function bodyOf(ctx: Ctx, opts: Opts): Promise<Record<string, unknown>> {
  const from = opts.string('from');
  const base: unknown =
    from === undefined ? {} : JSON.parse(await readFile(resolve(ctx.io.cwd, from), 'utf8'));
  if (typeof base !== 'object' || base === null || Array.isArray(base))
    throw usageError(`${from ?? ''}: expected a JSON object`);
  return { ...base, ...fieldFlags(opts) };
}

function show(ctx: Ctx, json: boolean, u: CustomUpdate): void {
  if (json) ctx.out.json(u);
  else print(ctx, u);
}

/** `steward update custom ...`: custom (third-party) updates (ADR 0059). */
export function addCustomUpdateCommands(parent: Command, ctx: Ctx): void {
  const custom = parent
    .command('custom')
    .description('custom (third-party) updates: detection rules and install/uninstall programs');
  addCustomComplianceCommand(custom, ctx);

  action(
    withJson(
      custom
        .command('list')
        .description('custom updates')
        .option('--search <text>', 'title, vendor or product contains'),
    ),
    async ({ opts }) => {
      const search = opts.string('search');
      const page = await (
        await ctx.client()
      ).call(ops.customUpdates.listCustomUpdates, {
        query: { limit: 1000, ...(search !== undefined ? { search } : {}) },
      });
      if (opts.flag('json')) {
        ctx.out.json(page);
        return;
      }
      ctx.out.table(
        [
          { header: 'ID' },
          { header: 'VENDOR' },
          { header: 'PRODUCT' },
          { header: 'VERSION' },
          { header: 'SEVERITY' },
          { header: 'TITLE', flex: true },
        ],
        page.items.map((u) => [u.id, u.vendor, u.product, u.version, u.severity, u.title]),
        'No custom updates. Define one with `steward update custom create`.',
      );
    },
  );

  action(
    withJson(custom.command('show').description('one custom update').argument('<id>')),
    async ({ opts, arg }) => {
      const u = await (
        await ctx.client()
      ).call(ops.customUpdates.getCustomUpdate, { params: { id: arg(0) } });
      show(ctx, opts.flag('json'), u);
    },
  );

  action(
    withJson(fieldOptions(custom.command('create').description('define a custom update'))),
    async ({ opts }) => {
      const body = await bodyOf(ctx, opts);
      if (!Value.Check(CustomUpdateInput, body)) {
        const first = Value.Errors(CustomUpdateInput, body).First();
        throw usageError(
          `the custom update is incomplete or invalid${first ? ` at ${first.path || '/'}: ${first.message}` : ''} (title, vendor, product, --product-version and at least one detection rule are needed)`,
        );
      }
      const u = await (await ctx.client()).call(ops.customUpdates.createCustomUpdate, { body });
      show(ctx, opts.flag('json'), u);
    },
  );

  action(
    withJson(
      fieldOptions(
        custom
          .command('set')
          .description('change a custom update (rules given replace the old ones)')
          .argument('<id>'),
      ),
    ),
    async ({ opts, arg }) => {
      const body = await bodyOf(ctx, opts);
      if (Object.keys(body).length === 0) throw usageError('nothing to set: see --help');
      if (!Value.Check(CustomUpdatePatch, body)) {
        const first = Value.Errors(CustomUpdatePatch, body).First();
        throw usageError(
          `invalid change${first ? ` at ${first.path || '/'}: ${first.message}` : ''}`,
        );
      }
      const u = await (
        await ctx.client()
      ).call(ops.customUpdates.updateCustomUpdate, { params: { id: arg(0) }, body });
      show(ctx, opts.flag('json'), u);
    },
  );

  action(
    custom
      .command('delete')
      .description('remove a custom update (its programs stay)')
      .argument('<id>'),
    async ({ arg }) => {
      await (
        await ctx.client()
      ).call(ops.customUpdates.deleteCustomUpdate, { params: { id: arg(0) } });
      ctx.out.note(`custom update ${arg(0)} deleted`);
    },
  );
}
