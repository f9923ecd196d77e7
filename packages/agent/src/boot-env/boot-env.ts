import { request } from 'node:https';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import {
  agentOps,
  BootConfig,
  checkAnswer,
  requestOf,
  StatusMessages,
  renderStatusMessage,
  type BootTaskSequence,
  type CallArgs,
  type Operation,
  type ResultOf,
} from '@steward/protocol';
import { AgentError, errorMessage } from '../errors.js';
import type { CliIo } from '../commands/cli-io.js';
import { RESTARTING_EXIT_CODE } from '../commands/task-sequence-command.js';
import { bootEnvExecutors } from '../os-deploy/boot-env-executors.js';
import { siteHost, type SiteHostOptions } from '../os-deploy/site-host.js';
import {
  type EngineEvent,
  type EngineOptions,
  resumeSequence,
  startSequence,
} from '../task-sequence/engine.js';
import { RESUME_DIR } from '../task-sequence/boot-image-restart.js';
import { runShell } from '../task-sequence/full-os-steps.js';
import { statusOfEvent } from '../task-sequence/status.js';
import { identifyMachine } from './identify.js';
import { type EngineState, saveEngineState } from '../task-sequence/state.js';
import { handOver, resumedRun } from './run-handoff.js';

/**
 * `steward-agent boot-env`: the boot stage of the agent, run by a boot image's /init (ADR 0065).
 * Identifies the machine, registers with the site the image was built for (HTTPS, trusting only
 * the site CA pinned in the image), asks for its task sequence and runs it with the
 * boot-environment steps, downloading the images it applies from the DPs the site names
 * (ADR 0085), reporting every step as a status message. With nothing deployed it ends (exit 0;
 * /init then powers off).
 */
export interface BootEnvOptions {
  config: string;
  /** Overrides the image's site URL (`steward.site=` on the kernel command line). */
  siteUrl?: string | undefined;
  sys?: string;
  /** Where the engine keeps its state and the downloads (ADR 0085). */
  stateDir: string;
  /** Where the new system is mounted while it is built. */
  target: string;
  /** The agent installer folder for the install-agent step (the image's, when it has one). */
  agentKit?: string | undefined;
  rebootCommand?: string | undefined;
  /** Where a run restarted from the full OS left its resume file (ADR 0105). */
  resumeDir?: string | undefined;
  /** Capture media's key (ADR 0107): the site answers with their capture, not what is deployed. */
  mediaKey?: string | undefined;
  json: boolean;
}

function call<O extends Operation>(
  config: BootConfig,
  op: O,
  args: CallArgs<O>,
): Promise<ResultOf<O>> {
  const line = requestOf(op, args);
  const body = line.body === undefined ? undefined : JSON.stringify(line.body);
  const url = new URL(line.path, config.siteUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: line.method,
        ca: config.caPem,
        timeout: 60_000,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            reject(
              new AgentError(
                'SITE_REFUSED',
                `${line.path}: ${String(status)} ${text.slice(0, 500)}`,
              ),
            );
            return;
          }
          const checked = checkAnswer(op, text ? JSON.parse(text) : undefined);
          if (checked.ok) resolve(checked.value);
          else reject(new AgentError('SITE_ANSWER', `${line.path}: ${checked.error}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Retries while the network comes up (DHCP, ARP, a slow link); a refusal is final. */
async function withRetry<T>(what: string, io: CliIo, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (err instanceof AgentError || attempt >= 10) throw err;
      io.err(`steward-boot: ${what} failed (${errorMessage(err)}), retrying\n`);
      await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** attempt)));
    }
  }
}

export async function bootEnvCommand(opts: BootEnvOptions, io: CliIo): Promise<number> {
  const raw: unknown = JSON.parse(await readFile(opts.config, 'utf8'));
  if (!Value.Check(BootConfig, raw))
    throw new AgentError('USAGE', `${opts.config} is not a boot configuration`);
  const config: BootConfig = { ...raw, ...(opts.siteUrl ? { siteUrl: opts.siteUrl } : {}) };
  const id = await identifyMachine(opts.sys);
  io.out(
    `steward-boot: machine uuid=${id.smbiosUuid ?? '(none)'} macs=${id.macs.join(',')} firmware=${id.firmware} arch=${id.arch}\n`,
  );
  if (id.macs.length === 0) throw new AgentError('NO_NETWORK', 'no ethernet interface');
  const ops = agentOps.bootEnvironment;
  const reg = await withRetry('registration', io, () =>
    call(config, ops.register, { body: { bootKey: config.bootKey, ...id } }),
  );
  io.out(
    `steward-boot: registered kind=${reg.kind} id=${reg.computerId} name=${reg.name ?? ''} matchedBy=${reg.matchedBy ?? ''}\n`,
  );
  const status = (
    messageId: number,
    insertionStrings: string[],
    attributes?: Record<string, string>,
  ) =>
    call(config, ops.status, {
      body: {
        bootKey: config.bootKey,
        computerId: reg.computerId,
        messageId,
        insertionStrings,
        ...(attributes ? { attributes } : {}),
      },
    });
  const who = reg.name ?? id.smbiosUuid ?? id.macs[0] ?? reg.computerId;
  await status(StatusMessages.BOOT_ENV_STARTED.id, [
    `${config.name} ${String(config.version)}`,
    who,
    id.firmware,
    id.macs.join(' '),
  ]);
  // A run the full OS restarted into this boot image: the site answers with its deployment,
  // as its device (ADR 0105), and the engine resumes the state the full OS saved.
  const resumed = await resumedRun(opts.resumeDir ?? RESUME_DIR);
  const ts = await call(config, ops.taskSequence, {
    body: {
      bootKey: config.bootKey,
      kind: reg.kind,
      computerId: reg.computerId,
      ...(resumed
        ? {
            resume: {
              deviceId: resumed.resume.deviceId,
              deploymentId: resumed.resume.deploymentId,
              token: resumed.resume.token,
            },
          }
        : {}),
      ...(opts.mediaKey === undefined ? {} : { mediaKey: opts.mediaKey }),
    },
  });
  if (ts.taskSequence === null) {
    await status(StatusMessages.BOOT_ENV_NO_TASK_SEQUENCE.id, [who]);
    io.out('steward-boot: no task sequence\n');
    // The run cannot go on here: the machine goes back to its installed system.
    if (resumed) return 1;
    if (opts.json)
      io.out(`${JSON.stringify({ identity: id, registration: reg, taskSequence: null })}\n`);
    return 0;
  }
  const offered = ts.taskSequence;
  await status(StatusMessages.BOOT_ENV_TASK_SEQUENCE_OFFERED.id, [offered.name, who]);
  io.out(
    `steward-boot: task sequence ${offered.name} version ${String(offered.version)} (deployment ${offered.deploymentId})\n`,
  );
  const drivers: Drivers = (request) =>
    call(config, ops.drivers, {
      body: {
        bootKey: config.bootKey,
        kind: reg.kind,
        computerId: reg.computerId,
        mode: request.mode,
        driverIds: [...request.driverIds],
        modaliases: [...request.modaliases],
      },
    });
  if (resumed) {
    // The deployment moved to another sequence or version: its content would not fit the state.
    const saved = resumed.state.sequence;
    if (
      saved.sequenceId !== offered.sequence.sequenceId ||
      saved.version !== offered.sequence.version
    ) {
      io.err(
        `steward-boot: the run of ${saved.name} ${String(saved.version)} cannot resume: the deployment now runs ${offered.name} ${String(offered.version)}\n`,
      );
      return 1;
    }
    await status(StatusMessages.BOOT_ENV_RUN_RESUMED.id, [
      offered.name,
      offered.deploymentId,
      resumed.resume.deviceId,
      String(resumed.state.progress.stepNumber),
    ]);
  }
  const outcome = await runOffered({
    opts,
    io,
    config,
    id,
    offered,
    report: status,
    drivers,
    ...(resumed ? { resumeState: resumed.state } : {}),
  });
  if (opts.json)
    io.out(
      `${JSON.stringify({ identity: id, registration: reg, taskSequence: { id: offered.id, name: offered.name, version: offered.version, deploymentId: offered.deploymentId }, outcome })}\n`,
    );
  return outcome === 'succeeded' ? 0 : outcome === 'restarting' ? RESTARTING_EXIT_CODE : 1;
}

/** The site's driver packages for an apply-drivers step (issue 11 gap 2). */
type Drivers = NonNullable<SiteHostOptions['drivers']>;

/**
 * Runs the offered sequence with the boot-environment steps over the site host (content from
 * the DPs the site named, ADR 0085); every engine event is printed and sent to the site as the
 * engine's own status message (40600-40608), so the site files it per step as in the full OS.
 */
async function runOffered(a: {
  opts: BootEnvOptions;
  io: CliIo;
  config: BootConfig;
  id: Awaited<ReturnType<typeof identifyMachine>>;
  offered: BootTaskSequence;
  drivers: Drivers;
  report: (
    messageId: number,
    strings: string[],
    attributes?: Record<string, string>,
  ) => Promise<unknown>;
  /** The engine state a run restarted from the full OS carries (ADR 0105). */
  resumeState?: EngineState;
}): Promise<Awaited<ReturnType<typeof startSequence>>> {
  const { opts, io, offered } = a;
  // One message after the other, in the engine's order: the site moves the run's record by
  // each (ADR 0103), so a step's success must not overtake its start.
  let sent: Promise<unknown> = Promise.resolve();
  const send = (messageId: number, strings: string[], attributes?: Record<string, string>) => {
    sent = sent.then(() =>
      a.report(messageId, strings, attributes).catch((err: unknown) => {
        io.err(`steward-boot: status ${String(messageId)} not sent: ${errorMessage(err)}\n`);
      }),
    );
  };
  const workDir = join(opts.stateDir, 'boot-work');
  await mkdir(workDir, { recursive: true });
  const host = siteHost({
    answer: offered,
    siteUrl: a.config.siteUrl,
    caPem: a.config.caPem,
    targetDir: opts.target,
    workDir,
    sys: opts.sys,
    firmware: a.id.firmware,
    modaliases: a.id.modaliases,
    installerDir: opts.agentKit,
    drivers: a.drivers,
    log: (line) => io.out(line),
    status: (messageId, strings) => send(messageId, strings),
  });
  const engineDir = join(opts.stateDir, 'task-sequence');
  const engine: EngineOptions = {
    stateDir: engineDir,
    environment: 'boot-image',
    executors: bootEnvExecutors(host),
    onEvent: (event: EngineEvent) => {
      const msg = statusOfEvent(event, offered.name, new Date(), offered.deploymentId);
      io.out(`${renderStatusMessage(msg.messageId, msg.insertionStrings)}\n`);
      // A message the site cannot take is printed, never fatal to the deployment.
      send(msg.messageId, msg.insertionStrings, msg.attributes);
    },
    reboot: async (into) => {
      if (into === 'full-os') await handOverRun(a, engineDir);
      const run = await runShell(opts.rebootCommand ?? 'reboot', {
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
        signal: new AbortController().signal,
      });
      if (run.exitCode !== 0) io.err(`steward-boot: reboot failed: ${run.outputTail}\n`);
    },
  };
  let outcome: Awaited<ReturnType<typeof startSequence>>;
  if (a.resumeState === undefined) outcome = await startSequence(offered.sequence, engine);
  else {
    await saveEngineState(engineDir, a.resumeState);
    outcome = (await resumeSequence(engine)) ?? 'failed';
  }
  // A run that ends here with the agent installed is the installed agent's to close: it
  // records the result and names the primary users (STWPrimaryUsers) once it has enrolled.
  // The engine's messages first: the hand-over's message must not overtake the last step's.
  await sent;
  if (outcome === 'succeeded') await handOverRun(a, engineDir);
  return outcome;
}

/** Hands the run to the installed system's agent, saying so (ADR 0105). */
async function handOverRun(
  a: {
    opts: BootEnvOptions;
    io: CliIo;
    offered: BootTaskSequence;
    report: (messageId: number, strings: string[]) => Promise<unknown>;
    resumeState?: EngineState | undefined;
  },
  engineDir: string,
): Promise<void> {
  try {
    const state = await handOver({
      engineDir,
      target: a.opts.target,
      deploymentId: a.offered.deploymentId,
      resumed: a.resumeState !== undefined,
      log: (line) => a.io.err(line),
    });
    if (!state) return;
    const strings = [
      a.offered.name,
      String(Math.min(state.position + 1, state.progress.stepCount)),
      String(state.progress.stepCount),
    ];
    a.io.out(`${renderStatusMessage(StatusMessages.BOOT_ENV_RUN_HANDED_OVER.id, strings)}\n`);
    await a.report(StatusMessages.BOOT_ENV_RUN_HANDED_OVER.id, strings).catch((err: unknown) => {
      a.io.err(`steward-boot: status not sent: ${errorMessage(err)}\n`);
    });
  } catch (err) {
    a.io.err(
      `steward-boot: the run was not handed to the installed system: ${errorMessage(err)}\n`,
    );
  }
}
