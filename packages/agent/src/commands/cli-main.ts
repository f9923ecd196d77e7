import { parseArgs } from 'node:util';
import { AgentError, errorMessage, ExitCode, FATAL_DEVICE_CODES } from '../errors.js';
import { resolveStateDir } from '../state/state-dir.js';
import { AGENT_VERSION } from '../version.js';
import type { CliIo } from './cli-io.js';

// Each command is loaded when it runs: the service (`run`) lives for months and should not hold
// the inventory printer, the software center or enrolment code it never calls (ADR 0021).

export const USAGE = `Usage: steward-agent <command> [options]

Commands:
  enroll --token <token> [--state-dir <dir>] [--force] [--json]
      Enrol this machine with the site named in the token (pins the site CA).
  run [--state-dir <dir>] [--once] [--full]
      The agent service: policy, inventory, heartbeat, outbox delivery, push channel.
      --once: one cycle, exit 0 when everything was delivered. --full: full inventory first.
  inventory [--class <name>] [--json] [--state-dir <dir>]
      Collect inventory on this machine and print it (no server needed).
  status [--state-dir <dir>] [--json]
      Enrolment, policy version, outbox depth, last successful contact.
  check [--state-dir <dir>] [--json]
      Client check now: service, state directory, disk, outbox, clock, identity, policy,
      inventory. The running service runs and reports it; without one, this command does
      (remediating unless the site set notify-only). Exit 1 when a check failed.
  center [list | install <deployment> | postpone <deployment> --minutes <n>] [--json] [--user <name>]
  center run <deployment> | center reschedule <deployment> --at <time> |
  center snooze <deployment> (--minutes <n> | --until <time>) | center restart <deployment>
      Software Center: software and task sequences offered to this machine and required runs
      to come; install (or run a task sequence) now, or postpone a required run or reschedule it to a time (within the deployment's limit); pending update
      restarts: snooze the countdown (within its limit) or restart now. Needs the agent running.
  update-install --repo <dir> --key <file> [--root <dir>] [--simulate] [--allow-downgrades]
                 [--json] <package>=<version>...
      Install approved update versions from a folder holding the site's signed repository of
      approved content, in one apt transaction (--simulate: a rehearsal that changes nothing).
  task-sequence run --sequence <file> [--reboot-command <cmd>] [--root <dir>] [--json]
                    [--media <dir> [--target <dir>] [--password-file <file>]]
  task-sequence resume [--reboot-command <cmd>] [--root <dir>] [--media <dir>] [--json]
  task-sequence status [--json]
      The task-sequence engine by itself over the state directory: run a sequence, resume it
      after a restart step's reboot, or show where it is. Exit 0 succeeded, 1 failed, 75 when
      a restart step rebooted (run resume after it). --media runs it as the boot environment
      over a media folder (os-images/<id>/, drivers/<id>.deb, agent/, enrol-token; captures
      go to captures/): the disk and image steps build the system mounted at --target
      (default /mnt/target). Media whose media.json holds a password hash run nothing until
      the password is given (--password-file, else typed on stdin; 3 tries).
  boot-env [--config <file>] [--site <url>] [--target <dir>] [--agent-kit <dir>]
           [--reboot-command <cmd>] [--media-root <dir> [--password-file <file>]] [--sys <dir>]
           [--resume-dir <dir>] [--json]
      The boot stage, run by a boot image's /init: identify this machine, register with the
      site (as an unknown or imported computer), ask for its task sequence and run it,
      downloading its OS images from the DPs the site names (SHA-256 checked); every step is
      reported to the site. --config defaults to /etc/steward/boot.json; --site (or
      steward.site= on the kernel command line) overrides the image's site URL; the engine's
      state and downloads go under the state directory; --agent-kit is the unpacked agent
      tarball the install-agent step copies (with the site's single-use enrolment token);
      --sys reads the machine's identity (SMBIOS UUID, MACs) from another sysfs tree.
      Started from standalone media (steward.media=standalone on the kernel command line, or
      --media-root <dir> naming their files) it contacts no site: it mounts the media by their
      volume id, asks the media password when they have one, and runs the sequence they carry
      over their content (steward/sequence.json, steward/content/).
  content fetch --url <dp> --sha256 <hex> --size <bytes> --token <access token> --ca <pem>
                --out <file> [--multicast] [--json]
      One content file from a distribution point, verified by SHA-256: by multicast
      (udp-receiver) when --multicast is given and the DP offers a session, else by HTTP.
  version  (or --version)

The state directory defaults to /var/lib/steward-agent; STEWARD_AGENT_STATE_DIR overrides it.
Intervals come from the site's policy (client settings); there is no local override.
`;

type Parsed = ReturnType<typeof parse>;

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      token: { type: 'string' },
      'state-dir': { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      once: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      class: { type: 'string' },
      minutes: { type: 'string' },
      until: { type: 'string' },
      at: { type: 'string' },
      user: { type: 'string' },
      repo: { type: 'string' },
      key: { type: 'string' },
      root: { type: 'string' },
      simulate: { type: 'boolean', default: false },
      'allow-downgrades': { type: 'boolean', default: false },
      sequence: { type: 'string' },
      'reboot-command': { type: 'string' },
      media: { type: 'string' },
      target: { type: 'string' },
      'password-file': { type: 'string' },
      'media-root': { type: 'string' },
      'resume-dir': { type: 'string' },
      'agent-kit': { type: 'string' },
      sys: { type: 'string' },
      config: { type: 'string' },
      site: { type: 'string' },
      url: { type: 'string' },
      sha256: { type: 'string' },
      size: { type: 'string' },
      ca: { type: 'string' },
      out: { type: 'string' },
      multicast: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
}

/** Options are shared by all commands in the parser; refuse those a command does not take. */
function only(command: string, parsed: Parsed, allowed: readonly string[]): void {
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === false || name === 'help') continue;
    if (!allowed.includes(name))
      throw new AgentError('USAGE', `${command} does not take --${name}`);
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new AgentError('USAGE', errorMessage(err));
  }
  // `steward-agent --version`, the conventional spelling of `steward-agent version`.
  if (parsed.values.version && parsed.positionals.length === 0) {
    io.out(`${AGENT_VERSION}\n`);
    return ExitCode.ok;
  }
  const [command, ...rest] = parsed.positionals;
  if (command === undefined || command === 'help' || parsed.values.help) {
    io.out(USAGE);
    return command === undefined && !parsed.values.help ? ExitCode.usage : ExitCode.ok;
  }
  // Only `center` (its action and a deployment id) and `update-install` (package=version
  // pairs) take arguments after the command.
  if (
    rest.length > 0 &&
    command !== 'center' &&
    command !== 'update-install' &&
    !((command === 'task-sequence' || command === 'content') && rest.length === 1)
  )
    throw new AgentError('USAGE', `unexpected argument "${rest[0] ?? ''}"`);
  const v = parsed.values;
  const stateDir = resolveStateDir(v['state-dir'], io.env);
  switch (command) {
    case 'enroll':
      only(command, parsed, ['token', 'state-dir', 'force', 'json']);
      return (await import('./enroll-command.js')).enrollCommand(
        { token: v.token, stateDir, force: v.force, json: v.json },
        io,
      );
    case 'run':
      only(command, parsed, ['state-dir', 'once', 'full']);
      return (await import('./run-command.js')).runCommand(
        { stateDir, once: v.once, full: v.full },
        io,
      );
    case 'inventory':
      only(command, parsed, ['class', 'json', 'state-dir']);
      return (await import('./inventory-command.js')).inventoryCommand(
        { json: v.json, className: v.class, stateDir },
        io,
      );
    case 'status':
      only(command, parsed, ['state-dir', 'json']);
      return (await import('./status-command.js')).statusCommand({ stateDir, json: v.json }, io);
    case 'check':
      only(command, parsed, ['state-dir', 'json']);
      return (await import('./check-command.js')).checkCommand({ stateDir, json: v.json }, io);
    case 'center':
      only(command, parsed, ['state-dir', 'json', 'minutes', 'until', 'at', 'user']);
      return (await import('./center-command.js')).centerCommand(
        {
          stateDir,
          json: v.json,
          positionals: rest,
          minutes: v.minutes,
          until: v.until,
          at: v.at,
          user: v.user,
        },
        io,
      );
    case 'update-install':
      only(command, parsed, ['repo', 'key', 'root', 'simulate', 'allow-downgrades', 'json']);
      return (await import('./update-install-command.js')).updateInstallCommand(
        {
          repo: v.repo,
          key: v.key,
          root: v.root,
          simulate: v.simulate,
          allowDowngrades: v['allow-downgrades'],
          json: v.json,
          positionals: rest,
        },
        io,
      );
    case 'task-sequence':
      only(command, parsed, [
        'state-dir',
        'sequence',
        'reboot-command',
        'root',
        'media',
        'target',
        'password-file',
        'json',
      ]);
      return (await import('./task-sequence-command.js')).taskSequenceCommand(
        {
          action: rest[0],
          stateDir,
          sequence: v.sequence,
          rebootCommand: v['reboot-command'],
          root: v.root,
          media: v.media,
          target: v.target,
          passwordFile: v['password-file'],
          json: v.json,
        },
        io,
      );
    case 'boot-env': {
      only(command, parsed, [
        'config',
        'site',
        'state-dir',
        'target',
        'agent-kit',
        'reboot-command',
        'media-root',
        'sys',
        'password-file',
        'resume-dir',
        'json',
      ]);
      const cmdline = await import('../boot-env/cmdline.js');
      const boot = {
        config: v.config ?? '/etc/steward/boot.json',
        siteUrl: v.site ?? cmdline.cmdlineSite(),
        stateDir,
        target: v.target ?? (await import('./task-sequence-command.js')).DEFAULT_TARGET,
        agentKit: v['agent-kit'],
        rebootCommand: v['reboot-command'],
        resumeDir: v['resume-dir'],
        ...(v.sys !== undefined ? { sys: v.sys } : {}),
        json: v.json,
      };
      // Started from standalone or capture media (steward.media=): what the media are decides.
      const media = cmdline.cmdlineMedia();
      if (v['media-root'] !== undefined || media === 'standalone' || media === 'capture')
        return (await import('../boot-env/media-boot.js')).runFromMedia(
          { ...boot, root: v['media-root'], passwordFile: v['password-file'] },
          io,
        );
      return (await import('../boot-env/boot-env.js')).bootEnvCommand(boot, io);
    }
    case 'content':
      only(command, parsed, ['url', 'sha256', 'size', 'token', 'ca', 'out', 'multicast', 'json']);
      return (await import('./content-command.js')).contentCommand(
        {
          action: rest[0],
          url: v.url,
          sha256: v.sha256,
          size: v.size,
          token: v.token,
          ca: v.ca,
          out: v.out,
          multicast: v.multicast,
          json: v.json,
        },
        io,
      );
    case '__collect-inventory':
      // The service's inventory collection process (collect-process.ts), not a user command.
      return (await import('../inventory/collect-child.js')).collectChildMain();
    case 'version':
      io.out(`${AGENT_VERSION}\n`);
      return ExitCode.ok;
    default:
      throw new AgentError('USAGE', `unknown command "${command}"; see steward-agent --help`);
  }
}

/**
 * Runs the CLI and returns the exit code. Errors are printed as `error CODE: message` on stderr:
 * 2 for usage errors, 3 when the site revoked this device, 1 otherwise.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    const code = err instanceof AgentError ? err.code : 'INTERNAL';
    io.err(`error ${code}: ${errorMessage(err)}\n`);
    if (code === 'USAGE') return ExitCode.usage;
    if (FATAL_DEVICE_CODES.has(code)) return ExitCode.deviceRejected;
    return ExitCode.failure;
  }
}
