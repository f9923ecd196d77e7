import { readFileSync } from 'node:fs';

/** The value of `<name>=` on the kernel command line (this machine's, or `cmdline`), if any. */
function cmdlineValue(name: string, cmdline?: string): string | undefined {
  let text = cmdline;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cmdline', 'utf8');
    } catch {
      return undefined;
    }
  }
  return new RegExp(`(?:^|\\s)${name.replace(/\./g, '\\.')}=(\\S+)`).exec(text)?.[1];
}

/** `steward.site=<url>` from the kernel command line (PXE menus pass it), if any. */
export function cmdlineSite(cmdline?: string): string | undefined {
  return cmdlineValue('steward.site', cmdline);
}

/** `steward.media=<kind>` from the kernel command line: media started this boot (ADR 0097). */
export function cmdlineMedia(cmdline?: string): string | undefined {
  return cmdlineValue('steward.media', cmdline);
}
