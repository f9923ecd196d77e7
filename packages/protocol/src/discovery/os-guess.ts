/**
 * Guessing a machine's OS from its SSH banner (`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`). The
 * mapping is data: distributions put their package revision in the banner's comment, and that
 * revision names the release. Rules are tried in order; the first that matches wins.
 */
export interface OsGuessRule {
  /** Tested against the whole banner line. */
  pattern: RegExp;
  /** The guess; `$1` is replaced by the pattern's first group. */
  guess: string;
}

export const OS_GUESS_RULES: readonly OsGuessRule[] = [
  // Debian security/point updates: `Debian-2+deb12u3` -> Debian 12.
  { pattern: /\bDebian-[^\s]*\+deb(\d+)u\d+/, guess: 'Debian $1' },
  // Debian releases as first shipped, by their OpenSSH version.
  { pattern: /OpenSSH_9\.2p1 Debian/, guess: 'Debian 12' },
  { pattern: /OpenSSH_8\.4p1 Debian/, guess: 'Debian 11' },
  { pattern: /OpenSSH_7\.9p1 Debian/, guess: 'Debian 10' },
  { pattern: /OpenSSH_9\.(?:[6-9])p1 Debian/, guess: 'Debian 13' },
  // Ubuntu: the OpenSSH version each LTS ships.
  { pattern: /OpenSSH_9\.6p1 Ubuntu/, guess: 'Ubuntu 24.04' },
  { pattern: /OpenSSH_8\.9p1 Ubuntu/, guess: 'Ubuntu 22.04' },
  { pattern: /OpenSSH_8\.2p1 Ubuntu/, guess: 'Ubuntu 20.04' },
  { pattern: /OpenSSH_7\.6p1 Ubuntu/, guess: 'Ubuntu 18.04' },
  { pattern: /Ubuntu/, guess: 'Ubuntu' },
  { pattern: /Raspbian/, guess: 'Raspberry Pi OS' },
  { pattern: /Debian/, guess: 'Debian' },
  { pattern: /FreeBSD/, guess: 'FreeBSD' },
  { pattern: /OpenSSH_[\d.]+p\d+ (?:el|RHEL)/i, guess: 'Red Hat family' },
  { pattern: /OpenSSH_for_Windows/, guess: 'Windows' },
  { pattern: /dropbear/i, guess: 'Linux (embedded)' },
  { pattern: /^SSH-[\d.]+-OpenSSH_[\d.]+$/, guess: 'Unix-like' },
];

/** The OS a banner suggests, or null when no rule matches (or there is no banner). */
export function guessOsFromBanner(banner: string | null | undefined): string | null {
  if (!banner) return null;
  for (const rule of OS_GUESS_RULES) {
    const m = rule.pattern.exec(banner);
    if (m) return rule.guess.replace('$1', m[1] ?? '');
  }
  return null;
}
