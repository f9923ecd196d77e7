import { ApiError } from '@steward/protocol';
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerAgentVersionCommands } from './commands/agent-versions.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerClientPushCommands } from './commands/client-push.js';
import { registerClientSettingsCommands } from './commands/client-settings.js';
import { registerClientCheckCommands } from './commands/client-check.js';
import { registerClientStatusCommands } from './commands/client-status.js';
import { registerSiteSettingsCommands } from './commands/site-settings.js';
import { registerCollectionCommands } from './commands/collections.js';
import { registerDeviceCommands } from './commands/devices.js';
import { registerInventoryClassCommands } from './commands/inventory-classes.js';
import { registerQueryCommands } from './commands/query.js';
import { registerServerCommand } from './commands/server.js';
import { registerStatusCommands } from './commands/status.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerUpCommand } from './commands/up.js';
import { registerUserCommands } from './commands/users.js';
import { registerExportCommands } from './commands/export.js';
import { registerSearchCommands } from './commands/search.js';
import { registerBoundaryCommands } from './commands/boundaries.js';
import { registerDeploymentCommands } from './commands/deployments.js';
import { registerDistributionPointCommands } from './commands/distribution-points.js';
import { registerDpGroupCommands } from './commands/dp-groups.js';
import { registerMaintenanceWindowCommands } from './commands/maintenance-windows.js';
import { registerPackageCommands } from './commands/packages.js';
import { registerPhasedDeploymentCommands } from './commands/phased-deployments.js';
import { registerProgramCommands } from './commands/programs.js';
import { registerReportCommands } from './commands/reports.js';
import { registerDiscoveryCommands } from './commands/discovery.js';
import { registerUpdateCommands } from './commands/updates.js';
import { registerDriverCommands } from './commands/drivers.js';
import { registerTaskSequenceCommands } from './commands/task-sequences.js';
import { registerUpgradePackageCommands } from './commands/upgrade-packages.js';
import { registerBootImageCommands } from './commands/boot-images.js';
import { registerMediaCommands } from './commands/media.js';
import { registerOsImageCommands } from './commands/os-images.js';
import { registerUserStateCommands } from './commands/user-state.js';
import { registerAdvisoryCommands } from './commands/update-adv.js';
import { registerViewCommands } from './commands/views.js';
import { createContext, type Ctx } from './context.js';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';
import { colorEnabled, createStyle } from './output/style.js';
import { toTerminal } from './output/terminal-text.js';
import { cliVersion } from './paths.js';

const AUTH_CODES: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'SESSION_EXPIRED']);

/** The whole command tree. Commander never exits or prints errors itself: runCli does. */
export function buildProgram(ctx: Ctx): Command {
  const { io } = ctx;
  const program = new Command('steward')
    .description('Steward systems management: the command-line client of a site')
    .version(cliVersion(), '-V, --version', 'print the version')
    .exitOverride()
    // Root options only before the subcommand, so subcommands may have their own --version
    // (`package files NAME --version 2`).
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: () => undefined,
    })
    .addHelpText(
      'after',
      '\nEnvironment: STEWARD_SERVER, STEWARD_TOKEN (override the session), STEWARD_CONFIG_DIR (session file), NO_COLOR.\n' +
        'Every listing and show takes --json. Exit codes: 0 ok, 1 error from the site or the machine, 2 usage error.',
    );
  registerAuthCommands(program, ctx);
  registerTokenCommands(program, ctx);
  registerDeviceCommands(program, ctx);
  registerCollectionCommands(program, ctx);
  registerQueryCommands(program, ctx);
  registerInventoryClassCommands(program, ctx);
  registerClientSettingsCommands(program, ctx);
  registerClientCheckCommands(program, ctx);
  registerClientStatusCommands(program, ctx);
  registerSiteSettingsCommands(program, ctx);
  registerStatusCommands(program, ctx);
  registerPackageCommands(program, ctx);
  registerProgramCommands(program, ctx);
  registerDistributionPointCommands(program, ctx);
  registerDpGroupCommands(program, ctx);
  registerBoundaryCommands(program, ctx);
  registerDeploymentCommands(program, ctx);
  registerMaintenanceWindowCommands(program, ctx);
  registerPhasedDeploymentCommands(program, ctx);
  registerReportCommands(program, ctx);
  registerAgentVersionCommands(program, ctx);
  registerClientPushCommands(program, ctx);
  registerDiscoveryCommands(program, ctx);
  registerUpdateCommands(program, ctx);
  registerDriverCommands(program, ctx);
  registerBootImageCommands(program, ctx);
  registerMediaCommands(program, ctx);
  registerOsImageCommands(program, ctx);
  registerUserStateCommands(program, ctx);
  registerAdvisoryCommands(program, ctx);
  registerViewCommands(program, ctx);
  registerAdminCommands(program, ctx);
  registerUserCommands(program, ctx);
  registerExportCommands(program, ctx);
  registerSearchCommands(program, ctx);
  registerServerCommand(program, ctx);
  registerUpCommand(program, ctx);
  registerTaskSequenceCommands(program, ctx);
  registerUpgradePackageCommands(program, ctx);
  return program;
}

/** Runs the CLI and returns the exit code. Errors go to stderr as `error CODE: message`. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = createContext(io);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, io);
  }
}

/** Prints an error the way scripts expect it and returns the exit code. */
export function reportError(err: unknown, io: CliIo): number {
  const style = createStyle(colorEnabled(io.stderr, io.env));
  const print = (code: string, message: string, extra?: string): void => {
    // The message and details often come from the site: no raw control characters.
    io.stderr.write(toTerminal(`${style.red('error')} ${style.bold(code)}: ${message}\n`));
    if (extra !== undefined && extra !== '')
      io.stderr.write(toTerminal(extra.endsWith('\n') ? extra : `${extra}\n`));
  };
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    // `help <command>` exits 0; a group without its subcommand (help on stderr) is a usage error.
    if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2;
    print('USAGE', err.message.replace(/^error:\s*/, ''), 'Run with --help for usage.');
    return 2;
  }
  if (err instanceof CliError) {
    print(err.code, err.message, err.extra);
    return err.exitCode;
  }
  if (err instanceof ApiError) {
    const hint = AUTH_CODES.has(err.code)
      ? 'Sign in again with "steward login".'
      : detailLines(err);
    print(err.code, err.message, hint);
    return 1;
  }
  print('INTERNAL', err instanceof Error ? err.message : String(err));
  if (io.env['STEWARD_DEBUG'] !== undefined && err instanceof Error && err.stack !== undefined)
    io.stderr.write(`${err.stack}\n`);
  return 1;
}

/** INVALID_INPUT and friends carry details; show them compactly so the problem is visible. */
function detailLines(err: ApiError): string | undefined {
  if (err.details === undefined || err.details === null) return undefined;
  if (err.code !== 'INVALID_INPUT' && err.code !== 'INVALID_JSON' && !err.code.endsWith('_INVALID'))
    return undefined;
  const text = JSON.stringify(err.details);
  return `  details: ${text.length > 600 ? `${text.slice(0, 600)}…` : text}`;
}
