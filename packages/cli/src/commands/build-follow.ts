import type { Ctx } from '../context.js';
import { CliError } from '../errors.js';
import { interruptController } from '../io.js';
import { createProgress } from '../output/progress.js';

const POLL_MS = 2000;

/** What a site-side build shows while it runs (boot images, media). */
export interface BuildState {
  id: string;
  status: 'building' | 'ready' | 'failed' | 'interrupted';
  progress: number;
  progressText: string;
}

/** One line for a build's state: `building 40%: writing the ISO image`, `failed: why`. */
export function buildStateText(b: BuildState): string {
  switch (b.status) {
    case 'building':
      return `building ${String(b.progress)}%: ${b.progressText}`;
    case 'failed':
    case 'interrupted':
      return `${b.status}: ${b.progressText}`;
    case 'ready':
      return 'ready';
  }
}

/**
 * Follows a build with a progress bar until it ends, reading it again with `get` every two
 * seconds (Ctrl-C stops watching, not the build). `what` names it: `boot image default-amd64 3`.
 */
export async function followBuild<B extends BuildState>(
  ctx: Ctx,
  what: string,
  first: B,
  get: (id: string) => Promise<B>,
): Promise<B> {
  const progress = createProgress(ctx.io, { title: what, total: 100 });
  const interrupt = interruptController(ctx.io);
  let b = first;
  try {
    for (;;) {
      progress.update(b.progressText, b.progress);
      if (b.status !== 'building') break;
      await ctx.io.sleep(POLL_MS, interrupt.signal);
      if (interrupt.signal.aborted)
        throw new CliError('CANCELLED', `stopped watching; ${what} (${b.id}) is still building`);
      b = await get(b.id);
    }
    progress.stop(`${what} ${b.status}`);
    return b;
  } catch (err) {
    progress.stop();
    throw err;
  } finally {
    interrupt.dispose();
  }
}
