import { describe, expect, it } from 'vitest';
import { guessOsFromBanner } from './os-guess.js';

describe('guessOsFromBanner', () => {
  it.each([
    ['SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3', 'Debian 12'],
    ['SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3', 'Debian 11'],
    ['SSH-2.0-OpenSSH_9.2p1 Debian-2', 'Debian 12'],
    ['SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10', 'Ubuntu 22.04'],
    ['SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5', 'Ubuntu 24.04'],
    ['SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11', 'Ubuntu 20.04'],
    ['SSH-2.0-OpenSSH_9.3 FreeBSD-20230719', 'FreeBSD'],
    ['SSH-2.0-OpenSSH_for_Windows_8.1', 'Windows'],
    ['SSH-2.0-dropbear_2022.83', 'Linux (embedded)'],
    ['SSH-2.0-OpenSSH_9.8', 'Unix-like'],
  ])('%s -> %s', (banner, os) => {
    expect(guessOsFromBanner(banner)).toBe(os);
  });

  it('is null without a banner or for an unknown server', () => {
    expect(guessOsFromBanner(null)).toBeNull();
    expect(guessOsFromBanner('')).toBeNull();
    expect(guessOsFromBanner('SSH-2.0-SomethingElse')).toBeNull();
  });
});
