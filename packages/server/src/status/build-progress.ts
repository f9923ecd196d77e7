import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';

/** What a site-side build writes on its row: progress and text, or only its heartbeat. */
export type BuildRowPatch =
  { progress: number; progress_text: string; heartbeat_at: string } | { heartbeat_at: string };

/**
 * The progress and heartbeat of a background build (boot images, media, OS images): `progress`
 * writes a new whole percentage (0-99; 100 is written with the result) and its text, the
 * heartbeat every `heartbeatMs` says the process still runs it (debootstrap can go minutes
 * without a progress line). Writes are best effort: a lost one is logged, never fatal. `stop`
 * ends the heartbeat.
 */
export function buildProgress(
  ctx: SiteContext,
  what: string,
  heartbeatMs: number,
  write: (patch: BuildRowPatch) => Promise<void>,
): { progress: (percent: number, text: string) => void; stop: () => void } {
  let last = -1;
  const save = (patch: BuildRowPatch) =>
    void write(patch).catch((err: unknown) => ctx.log.warn({ err }, `${what} not saved`));
  const beat = setInterval(() => save({ heartbeat_at: nowIso(ctx) }), heartbeatMs);
  return {
    progress: (percent, text) => {
      const p = Math.max(0, Math.min(99, Math.round(percent)));
      if (p === last) return;
      last = p;
      save({ progress: p, progress_text: text, heartbeat_at: nowIso(ctx) });
    },
    stop: () => clearInterval(beat),
  };
}
