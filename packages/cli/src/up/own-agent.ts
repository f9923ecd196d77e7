import { join } from 'node:path';
import { ApiError, type ApiClient } from '@steward/protocol';
import type { Ctx } from '../context.js';
import { CliError } from '../errors.js';
import { createProgress, type Progress } from '../output/progress.js';
import { agentBinPath } from '../paths.js';
import { agentArgs, startAgent, type AgentProcess, type LineSink } from './agent-process.js';
import type { BannerInput } from './banner.js';
import { readEnrolledDeviceId } from './up-state.js';

/**
 * The agent of the machine `steward up` runs on: enrolled once into `<data>/agent`, then run as a
 * child process whose output is passed through with a prefix (above the progress line while one
 * is shown).
 */
export class OwnAgent {
  private progress: Progress | undefined;
  private process: AgentProcess | undefined;
  readonly stateDir: string;
  private readonly bin: string;
  private readonly prefix: string;

  constructor(
    private readonly ctx: Ctx,
    dataDir: string,
  ) {
    this.stateDir = join(dataDir, 'agent');
    this.bin = agentBinPath(ctx.io.env);
    this.prefix = ctx.out.errStyle.dim('agent | ');
  }

  get running(): AgentProcess | undefined {
    return this.process;
  }

  /** While set, agent lines are printed above this progress line. */
  showAbove(progress: Progress | undefined): void {
    this.progress = progress;
  }

  private readonly onLine: LineSink = (stream, line) => {
    const to = stream === 'stdout' ? this.ctx.io.stdout : this.ctx.io.stderr;
    if (this.progress !== undefined) this.progress.log(`${this.prefix}${line}`, to);
    else to.write(`${this.prefix}${line}\n`);
  };

  /** The enrolled device id, enrolling with `token` first when there is none. */
  async ensureEnrolled(token: string | undefined): Promise<string> {
    const existing = await readEnrolledDeviceId(this.stateDir);
    if (existing !== undefined) return existing;
    if (token === undefined) {
      throw new CliError(
        'NOT_SIGNED_IN',
        'cannot enrol this machine without signing in: start with STEWARD_ADMIN_PASSWORD=<admin password>',
      );
    }
    this.ctx.out.note('Enrolling this machine...');
    const enrol = startAgent({
      bin: this.bin,
      args: agentArgs('enroll', this.stateDir, token),
      env: this.ctx.io.env,
      onLine: this.onLine,
    });
    const code = await enrol.exited;
    const deviceId = await readEnrolledDeviceId(this.stateDir);
    if (code !== 0 || deviceId === undefined) {
      throw new CliError(
        'AGENT_ENROL_FAILED',
        `the agent could not enrol this machine (exit code ${String(code)}); its output is above`,
      );
    }
    return deviceId;
  }

  start(): AgentProcess {
    this.ctx.out.note('Starting the agent for this machine...');
    this.process = startAgent({
      bin: this.bin,
      args: agentArgs('run', this.stateDir),
      env: this.ctx.io.env,
      onLine: this.onLine,
    });
    return this.process;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  /**
   * Enrols (once), starts the agent, and, when signed in, waits with a progress line until the
   * site has heard from it. Later exits of the agent are reported, the site keeps running.
   */
  async enrolStartAndWait(opts: {
    client: ApiClient | undefined;
    token: string | undefined;
    signal: AbortSignal;
    since: number;
    timeoutMs: number;
  }): Promise<BannerInput['device']> {
    const { io, out } = this.ctx;
    if (opts.signal.aborted) return undefined;
    const deviceId = await this.ensureEnrolled(opts.token);
    const proc = this.start();
    void proc.exited.then((code) => {
      if (!opts.signal.aborted)
        out.warn(`the agent exited (code ${String(code)}); the site keeps running`);
    });
    if (opts.client === undefined) return undefined;
    const progress = createProgress(io, { title: "Waiting for this machine's agent" });
    this.showAbove(progress);
    let device: BannerInput['device'];
    try {
      device = await waitForDevice(this.ctx, {
        client: opts.client,
        deviceId,
        agent: proc,
        signal: opts.signal,
        since: opts.since,
        timeoutMs: opts.timeoutMs,
        onStage: (stage) => progress.update(stage),
      });
    } finally {
      this.showAbove(undefined);
      progress.stop(device && `This machine: ${device.name} (${device.state}).`);
    }
    return device;
  }
}

/** How long before `since` a contact still counts (clock granularity between processes). */
const SKEW_MS = 5_000;

/**
 * Polls until the site has heard from the device since `since` and holds its inventory: on the
 * first start that is the first inventory; on later ones a fresh contact from the restarted agent.
 */
export async function waitForDevice(
  ctx: Ctx,
  opts: {
    client: ApiClient;
    deviceId: string;
    agent: AgentProcess;
    signal: AbortSignal;
    since: number;
    timeoutMs: number;
    onStage: (stage: string) => void;
  },
): Promise<BannerInput['device']> {
  const { io, out } = ctx;
  const started = io.now().getTime();
  let name = opts.deviceId;
  for (;;) {
    if (opts.signal.aborted) return undefined;
    if (!opts.agent.running) {
      out.warn('the agent stopped before this machine reported; its output is above');
      return { name, state: 'agent stopped' };
    }
    let stage = 'waiting for the site to list it';
    try {
      const d = await opts.client.getDevice(opts.deviceId);
      name = d.name;
      const contact = d.lastContactAt === null ? NaN : Date.parse(d.lastContactAt);
      const fresh = contact >= opts.since - SKEW_MS;
      if (fresh && d.lastInventoryAt !== null) return { name, state: 'inventory received' };
      stage = !fresh
        ? `${name}: waiting for the agent to contact the site`
        : `${name} contacted the site; waiting for its inventory`;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
    opts.onStage(stage);
    if (io.now().getTime() - started > opts.timeoutMs) {
      out.warn(
        'this machine has not reported yet; it shows up in "steward device list" once it does',
      );
      return { name, state: 'enrolled, not reported yet' };
    }
    await io.sleep(1000, opts.signal);
  }
}
