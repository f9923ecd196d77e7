import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ApprovedListDocument, ops, type ApprovedListImportReport } from '@steward/protocol';
import { Value } from '@sinclair/typebox/value';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';

function printReport(ctx: Ctx, r: ApprovedListImportReport): void {
  ctx.out.table(
    [
      { header: 'GROUP' },
      { header: 'PACKAGE' },
      { header: 'VERSION' },
      { header: 'RESULT', flex: true },
    ],
    r.groups.flatMap((g) =>
      g.entries.map((e) => [g.name, e.entry.package, e.entry.version, e.result]),
    ),
    'The list holds no updates.',
  );
  const groups = r.groups
    .map((g) => `${g.name} (${g.action}, ${String(g.added)} added)`)
    .join(', ');
  ctx.out.note(
    `${r.dryRun ? 'dry run, nothing written: ' : ''}${String(r.matched)} matched, ${String(r.notInCatalog)} not in this catalog, ${String(r.ambiguous)} ambiguous; ${groups || 'no groups'}`,
  );
}

/** `steward update approvals ...`: approved-update lists between sites (issue 10). */
export function addUpdateApprovalCommands(parent: Command, ctx: Ctx): void {
  const approvals = parent
    .command('approvals')
    .description('export update groups from one site and import them into another');

  action(
    approvals
      .command('export')
      .description('write update groups as an approved-update list (JSON)')
      .option('--group <name>', 'a group to export (repeatable; default all)', collect)
      .option('--output <file>', 'write to a file (default: standard output)'),
    async ({ opts }) => {
      const groups = opts.strings('group');
      const doc = await (
        await ctx.client()
      ).call(ops.updateApprovals.exportApprovals, {
        query: groups.length > 0 ? { groups: groups.join(',') } : {},
      });
      const output = opts.string('output');
      if (output === undefined) ctx.out.json(doc);
      else {
        await writeFile(resolve(ctx.io.cwd, output), `${JSON.stringify(doc, null, 2)}\n`);
        const n = doc.groups.reduce((a, g) => a + g.updates.length, 0);
        ctx.out.note(
          `${String(doc.groups.length)} groups, ${String(n)} updates written to ${output}`,
        );
      }
    },
  );

  action(
    withJson(
      approvals
        .command('import')
        .description("create or extend update groups from another site's list")
        .argument('<file>')
        .option('--dry-run', 'report what would match, write nothing'),
    ),
    async ({ opts, arg }) => {
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(resolve(ctx.io.cwd, arg(0)), 'utf8'));
      } catch (err) {
        throw usageError(`${arg(0)}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!Value.Check(ApprovedListDocument, doc)) {
        const first = Value.Errors(ApprovedListDocument, doc).First();
        throw usageError(
          `${arg(0)} is not an approved-update list${first ? ` (at ${first.path || '/'}: ${first.message})` : ''}`,
        );
      }
      const report = await (
        await ctx.client()
      ).call(ops.updateApprovals.importApprovals, {
        query: { dryRun: opts.flag('dryRun') },
        body: doc,
      });
      if (opts.flag('json')) ctx.out.json(report);
      else printReport(ctx, report);
    },
  );
}
