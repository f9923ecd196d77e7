import type { Command } from 'commander';
import { action, type Ctx } from '../context.js';
import { onInterrupts } from '../io.js';
import type { Opts } from '../options.js';
import { renderBanner } from '../up/banner.js';
import { OwnAgent } from '../up/own-agent.js';
import { ensurePortsFree } from '../up/ports.js';
import type { RunningServer } from '../up/site-server.js';
import { ensureEnrolmentToken, signInForUp } from '../up/up-session.js';
import { readUpState, writeUpState } from '../up/up-state.js';
import { serverFlags, serverSetup, startSite } from './server.js';

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

/** First Ctrl-C: stop cleanly (abort the signal). Second: exit at once. */
function interruptOnce(ctx: Ctx): {
  signal: AbortSignal;
  interrupted: () => boolean;
  dispose: () => void;
} {
  const controller = new AbortController();
  const dispose = onInterrupts(ctx.io, {
    first: () => controller.abort(),
    again: () => {
      ctx.out.note('Forced exit.');
      ctx.io.exit(130);
    },
  });
  return { signal: controller.signal, interrupted: () => controller.signal.aborted, dispose };
}

async function runUp(ctx: Ctx, opts: Opts): Promise<void> {
  const { io, out } = ctx;
  const setup = serverSetup(io, opts, opts.string('data') ?? './data', { logLevel: 'warn' });
  const timeoutMs = (opts.seconds('waitTimeout', { min: 1 }) ?? 120) * 1000;
  await ensurePortsFree(setup.listens);
  const dataDir = setup.options.dataDir;
  const startedAt = io.now().getTime();
  const interrupt = interruptOnce(ctx);
  const { signal } = interrupt;
  const agent = new OwnAgent(ctx, dataDir);
  let server: RunningServer | undefined;
  try {
    out.note(`Starting the site server (data: ${dataDir})...`);
    server = await startSite(io, setup);
    if (interrupt.interrupted()) return;
    const state = await readUpState(dataDir);
    const auth = await signInForUp(ctx, server, state, setup.options.adminPassword);
    const enrolment =
      auth.client && (await ensureEnrolmentToken(ctx, auth.client, state, server.agentUrl));
    await writeUpState(dataDir, state);

    const device = opts.flag('agent')
      ? await agent.enrolStartAndWait({
          client: auth.client,
          token: enrolment?.token,
          signal,
          since: startedAt,
          timeoutMs,
        })
      : undefined;
    if (interrupt.interrupted()) return;
    const { adminUrl, agentUrl } = server;
    out.write(
      renderBanner(
        {
          adminUrl,
          agentUrl,
          password: auth.password,
          device,
          enrolment,
          cliSignedIn: auth.cliSignedIn,
        },
        out.style,
      ),
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    if (agent.running !== undefined || server !== undefined) out.note('Stopping...');
    try {
      await agent.stop();
      await server?.close();
    } finally {
      interrupt.dispose();
    }
    if (interrupt.interrupted()) out.note('Stopped.');
  }
}
