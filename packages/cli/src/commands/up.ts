import { join } from 'node:path';
import { ApiError, type ApiClient } from '@steward/protocol';
import type { Command } from 'commander';
import { createClient } from '../connection.js';
import { action, type Ctx } from '../context.js';
import { CliError, errorMessage } from '../errors.js';
import type { Opts } from '../options.js';
import { createProgress } from '../output/progress.js';
import { agentBinPath } from '../paths.js';
import { readSession, writeSession } from '../session.js';
import { agentArgs, startAgent, type AgentProcess, type LineSink } from '../up/agent-process.js';
import { renderBanner, type BannerInput, type PasswordSource } from '../up/banner.js';
import { ensurePortsFree } from '../up/ports.js';
import type { RunningServer } from '../up/server-contract.js';
import { readEnrolledDeviceId, readUpState, writeUpState, type UpState } from '../up/up-state.js';
import { serverFlags, serverSetup, startSite } from './server.js';
import { tokenState } from './tokens.js';

const TOKEN_HOURS = 168;
const TOKEN_USES = 100;

export function registerUpCommand(program: Command, ctx: Ctx): void {
  const cmd = serverFlags(
    program
      .command('up')
      .description(
        'one-command start: a site server, this machine enrolled and running its agent, and the way in',
      )
      .option('--data <dir>', 'data directory', './data')
      .option('--no-agent', 'start only the site, no agent for this machine')
      .option(
        '--wait-timeout <duration>',
        'how long to wait for this machine to report (default 120 s)',
      ),
  );
  action(cmd, async ({ opts }) => runUp(ctx, opts));
}

interface SignIn {
  client: ApiClient | undefined;
  password: PasswordSource;
  cliSignedIn: boolean;
}

async function runUp(ctx: Ctx, opts: Opts): Promise<void> {
  const { io, out } = ctx;
  const setup = serverSetup(io, opts, opts.string('data') ?? './data', { logLevel: 'warn' });
  const waitMs = (opts.seconds('waitTimeout', { min: 1 }) ?? 120) * 1000;
  await ensurePortsFree(setup.listens);
  const dataDir = setup.options.dataDir;

  const controller = new AbortController();
  let signals = 0;
  const offInterrupt = io.onInterrupt(() => {
    signals += 1;
    if (signals === 1) controller.abort();
    else {
      out.note('Forced exit.');
      io.exit(130);
    }
  });
  const { signal } = controller;
  const agentPrefix = out.errStyle.dim('agent | ');
  let sink: LineSink = (stream, line) =>
    (stream === 'stdout' ? io.stdout : io.stderr).write(`${agentPrefix}${line}\n`);
  const agentSink: LineSink = (stream, line) => sink(stream, line);
  let server: RunningServer | undefined;
  let agent: AgentProcess | undefined;
  try {
    out.note(`Starting the site server (data: ${dataDir})...`);
    server = await startSite(io, setup);
    if (signal.aborted) return;
    const state = await readUpState(dataDir);
    const auth = await signIn(ctx, server, state, setup.options.adminPassword);
    const enrolment =
      auth.client !== undefined ? await ensureEnrolmentToken(ctx, auth.client, state) : undefined;
    await writeUpState(dataDir, state);

    const agentDir = join(dataDir, 'agent');
    let deviceId = await readEnrolledDeviceId(agentDir);
    const bin = agentBinPath(io.env);
    if (opts.flag('agent') && !signal.aborted) {
      if (deviceId === undefined) {
        if (enrolment === undefined) {
          throw new CliError(
            'NOT_SIGNED_IN',
            'cannot enrol this machine without signing in: start with STEWARD_ADMIN_PASSWORD=<admin password>',
          );
        }
        out.note('Enrolling this machine...');
        const enrol = startAgent({
          bin,
          args: agentArgs('enroll', agentDir, enrolment.token),
          env: io.env,
          onLine: agentSink,
        });
        const code = await enrol.exited;
        deviceId = await readEnrolledDeviceId(agentDir);
        if (code !== 0 || deviceId === undefined) {
          throw new CliError(
            'AGENT_ENROL_FAILED',
            `the agent could not enrol this machine (exit code ${String(code)}); its output is above`,
          );
        }
      }
      out.note('Starting the agent for this machine...');
      agent = startAgent({ bin, args: agentArgs('run', agentDir), env: io.env, onLine: agentSink });
    }

    let device: BannerInput['device'];
    if (auth.client !== undefined && deviceId !== undefined && agent !== undefined) {
      const progress = createProgress(io, { title: "Waiting for this machine's agent" });
      sink = (stream, line) =>
        progress.log(`${agentPrefix}${line}`, stream === 'stdout' ? io.stdout : io.stderr);
      try {
        device = await waitForDevice(ctx, auth.client, deviceId, agent, signal, waitMs, (stage) =>
          progress.update(stage),
        );
      } finally {
        sink = (stream, line) =>
          (stream === 'stdout' ? io.stdout : io.stderr).write(`${agentPrefix}${line}\n`);
        progress.stop(
          device === undefined ? undefined : `This machine: ${device.name} (${device.state}).`,
        );
      }
    }
    if (signal.aborted) return;
    out.write(
      renderBanner(
        {
          adminUrl: server.adminUrl,
          agentUrl: server.agentUrl,
          password: auth.password,
          device,
          enrolment,
          cliSignedIn: auth.cliSignedIn,
        },
        out.style,
      ),
    );
    const running = agent;
    if (running !== undefined) {
      void running.exited.then((code) => {
        if (!signal.aborted)
          out.warn(`the agent exited (code ${String(code)}); the site keeps running`);
      });
    }
    await new Promise<void>((resolve) =>
      signal.aborted
        ? resolve()
        : signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  } finally {
    if (agent !== undefined || server !== undefined) out.note('Stopping...');
    try {
      if (agent !== undefined) await agent.stop();
      if (server !== undefined) await server.close();
    } finally {
      offInterrupt();
    }
    if (signals > 0) out.note('Stopped.');
  }
}

/**
 * Signs in as admin with the generated password or STEWARD_ADMIN_PASSWORD; on later starts
 * (password shown once, not known now) with the session kept in `<data>/up.json`. The session
 * is shared with the steward CLI unless that is signed in to another site.
 */
async function signIn(
  ctx: Ctx,
  server: RunningServer,
  state: UpState,
  envPassword: string | undefined,
): Promise<SignIn> {
  const { io, out } = ctx;
  const client = createClient(io, server.adminUrl);
  let password: PasswordSource =
    server.generatedAdminPassword !== undefined
      ? { kind: 'generated', password: server.generatedAdminPassword }
      : envPassword !== undefined
        ? { kind: 'env' }
        : { kind: 'unknown' };
  const secret = server.generatedAdminPassword ?? envPassword;
  let session: { token: string; expiresAt: string; userName: string; role: string } | undefined;
  if (secret !== undefined) {
    try {
      const res = await client.login('admin', secret);
      session = {
        token: res.token,
        expiresAt: res.expiresAt,
        userName: res.user.name,
        role: res.user.role,
      };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      out.warn(
        `cannot sign in as admin with ${password.kind === 'env' ? 'STEWARD_ADMIN_PASSWORD (it only sets the first password)' : 'the generated password'}: ${err.message}`,
      );
      if (password.kind === 'env') password = { kind: 'unknown' };
    }
  }
  if (session === undefined && state.sessionToken !== undefined) {
    client.setToken(state.sessionToken);
    try {
      const me = await client.me();
      session = {
        token: state.sessionToken,
        expiresAt: state.sessionExpiresAt ?? '',
        userName: me.name,
        role: me.role,
      };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  if (session === undefined) {
    out.warn(
      'not signed in (the admin password was shown at first start): set STEWARD_ADMIN_PASSWORD, or run "steward login"',
    );
    delete state.sessionToken;
    return { client: undefined, password, cliSignedIn: false };
  }
  client.setToken(session.token);
  const previousUrl = state.adminUrl;
  state.adminUrl = server.adminUrl;
  state.sessionToken = session.token;
  state.sessionExpiresAt = session.expiresAt;
  let cliSignedIn = false;
  try {
    const existing = await readSession(io.env).catch(() => undefined);
    if (
      existing === undefined ||
      existing.server === server.adminUrl ||
      existing.server === previousUrl
    ) {
      await writeSession(io.env, {
        server: server.adminUrl,
        ...session,
        createdAt: io.now().toISOString(),
      });
      cliSignedIn = true;
    }
  } catch (err) {
    out.warn(`could not share the session with the steward CLI: ${errorMessage(err)}`);
  }
  return { client, password, cliSignedIn };
}

/** Reuses the token from the last start while it has a day left and uses remaining; else makes one. */
async function ensureEnrolmentToken(
  ctx: Ctx,
  client: ApiClient,
  state: UpState,
): Promise<NonNullable<BannerInput['enrolment']>> {
  const now = ctx.io.now();
  if (state.enrolmentTokenId !== undefined && state.enrolmentToken !== undefined) {
    const known = (await client.listTokens()).find((t) => t.id === state.enrolmentTokenId);
    if (
      known !== undefined &&
      tokenState(known, now) === 'active' &&
      Date.parse(known.expiresAt) - now.getTime() > 86_400_000
    ) {
      return { token: state.enrolmentToken, expiresAt: known.expiresAt, maxUses: known.maxUses };
    }
  }
  const created = await client.createToken({
    description: 'steward up: this machine and others',
    expiresInHours: TOKEN_HOURS,
    maxUses: TOKEN_USES,
  });
  if (created.token === undefined)
    throw new CliError(
      'SERVER_CONTRACT',
      'the site created an enrolment token but returned no secret',
    );
  state.enrolmentTokenId = created.id;
  state.enrolmentToken = created.token;
  return { token: created.token, expiresAt: created.expiresAt, maxUses: created.maxUses };
}

/** Polls the device until the site has its inventory (or the agent stops, or time runs out). */
async function waitForDevice(
  ctx: Ctx,
  client: ApiClient,
  deviceId: string,
  agent: AgentProcess,
  signal: AbortSignal,
  timeoutMs: number,
  onStage: (stage: string) => void,
): Promise<BannerInput['device']> {
  const { io, out } = ctx;
  const started = io.now().getTime();
  let name = deviceId;
  for (;;) {
    if (signal.aborted) return undefined;
    if (!agent.running) {
      out.warn('the agent stopped before this machine reported; its output is above');
      return { name, state: 'agent stopped' };
    }
    let stage = 'waiting for the site to list it';
    try {
      const d = await client.getDevice(deviceId);
      name = d.name;
      if (d.lastInventoryAt !== null) return { name, state: 'inventory received' };
      stage =
        d.lastContactAt === null
          ? `${name} enrolled; waiting for its first contact`
          : `${name} contacted the site; waiting for its inventory`;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
    onStage(stage);
    if (io.now().getTime() - started > timeoutMs) {
      out.warn(
        `this machine has not reported its inventory yet; it shows up in "steward device list" once it does`,
      );
      return { name, state: 'enrolled, no inventory yet' };
    }
    await io.sleep(1000, signal);
  }
}
