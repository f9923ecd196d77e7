import { readFileSync } from 'node:fs';

/** `steward.site=<url>` from the kernel command line (PXE menus pass it), if any. */
export function cmdlineSite(cmdline?: string): string | undefined {
  let text = cmdline;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cmdline', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /(?:^|\s)steward\.site=(\S+)/.exec(text);
  return m?.[1];
}

/** `steward.media=<kind>` from the kernel command line: media started this boot (ADR 0097). */
export function cmdlineMedia(cmdline?: string): string | undefined {
  let text = cmdline;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cmdline', 'utf8');
    } catch {
      return undefined;
    }
  }
  return /(?:^|\s)steward\.media=(\S+)/.exec(text)?.[1];
}
