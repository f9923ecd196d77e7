import { readFileSync } from 'node:fs';

export interface FileLimitCheck {
  soft: number;
  hard: number;
  needed: number;
  ok: boolean;
  /** What to do when the limit is too low (empty when it is fine). */
  advice: string;
}

/** Descriptors besides the push sockets: the HTTPS pool, files, the event loop. */
const HEADROOM = 1024;

/** Reads this process's open-file limits from /proc/self/limits (Linux). */
export function openFileLimits(): { soft: number; hard: number } {
  const text = readFileSync('/proc/self/limits', 'utf8');
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  const num = (s: string | undefined): number =>
    s === undefined || s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s);
  return { soft: num(m?.[1]), hard: num(m?.[2]) };
}

/**
 * Each push channel is one socket, on the simulator side and on the site's: 10,000 devices need
 * about 10,000 descriptors in each process, more than the common default of 1024.
 */
export function checkFileLimit(pushConnections: number): FileLimitCheck {
  const { soft, hard } = openFileLimits();
  const needed = pushConnections + HEADROOM;
  const ok = soft >= needed;
  const advice = ok
    ? ''
    : `open-file limit ${soft} is below the ${needed} needed for ${pushConnections} push connections: ` +
      (hard >= needed
        ? `run "ulimit -n ${Math.min(hard, 65536)}" first`
        : `raise the hard limit (root: "ulimit -Hn 65536 && ulimit -n 65536")`) +
      ' in the shell that starts the simulator AND the site server';
  return { soft, hard, needed, ok, advice };
}
