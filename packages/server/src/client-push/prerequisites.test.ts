import { describe, expect, it } from 'vitest';
import {
  evaluatePrerequisites,
  parseFacts,
  parseInstallLines,
  parseTargetHost,
  shellQuote,
} from './prerequisites.js';

const facts = (over: string) =>
  parseFacts(
    [
      'os_id=debian',
      'os_version=12',
      'arch=x86_64',
      'prefix=/',
      'free_kb=4000000',
      'systemd=yes',
      'uid=0',
      'node=/usr/bin/node',
      over,
    ].join('\n'),
  );
const opts = { minFreeDiskMb: 200, serviceMode: 'systemd' as const };

describe('client push prerequisites', () => {
  it('accepts a supported machine', () => {
    expect(evaluatePrerequisites(facts(''), opts)).toBeUndefined();
    expect(
      evaluatePrerequisites(facts('os_id=ubuntu\nos_version=24.04\narch=aarch64'), opts),
    ).toBeUndefined();
  });

  it('refuses unsupported systems for good, and low disk, systemd or sudo for now', () => {
    expect(evaluatePrerequisites(facts('os_version=10'), opts)).toMatchObject({
      code: 'PUSH_UNSUPPORTED_OS',
      permanent: true,
    });
    expect(evaluatePrerequisites(facts('os_id=ubuntu\nos_version=18.04'), opts)?.code).toBe(
      'PUSH_UNSUPPORTED_OS',
    );
    expect(evaluatePrerequisites(facts('arch=armv7l'), opts)?.code).toBe('PUSH_UNSUPPORTED_ARCH');
    expect(evaluatePrerequisites(facts('free_kb=1000'), opts)).toMatchObject({
      code: 'PUSH_DISK_LOW',
      permanent: false,
    });
    expect(evaluatePrerequisites(facts('free_kb='), opts)?.code).toBe('PUSH_DISK_LOW');
    expect(evaluatePrerequisites(facts('systemd=no'), opts)?.code).toBe('PUSH_NO_SYSTEMD');
    expect(
      evaluatePrerequisites(facts('systemd=no'), { ...opts, serviceMode: 'none' }),
    ).toBeUndefined();
    expect(evaluatePrerequisites(facts('uid=1000\nsudo=no'), opts)?.code).toBe('PUSH_NO_SUDO');
    expect(evaluatePrerequisites(facts('uid=1000\nsudo=yes'), opts)).toBeUndefined();
  });

  it('reads install-agent.sh step lines and ignores the rest', () => {
    expect(
      parseInstallLines(
        'noise\nSTEWARD-INSTALL step=files status=ok detail=/usr/lib/steward-agent\nSTEWARD-INSTALL step=enrol status=failed detail=TOKEN_EXPIRED: gone\n',
      ),
    ).toEqual([
      { step: 'files', status: 'ok', detail: '/usr/lib/steward-agent' },
      { step: 'enrol', status: 'failed', detail: 'TOKEN_EXPIRED: gone' },
    ]);
  });

  it('parses host, host:port and [v6]:port, and refuses anything else', () => {
    expect(parseTargetHost('Web1.Example.org')).toEqual({ host: 'web1.example.org', port: 22 });
    expect(parseTargetHost('127.0.0.5:2222')).toEqual({ host: '127.0.0.5', port: 2222 });
    expect(parseTargetHost('[::1]:22')).toEqual({ host: '::1', port: 22 });
    for (const bad of ['', 'a b', 'host:0', 'host:70000', '-x', 'h;rm -rf /', '$(id)'])
      expect(parseTargetHost(bad)).toBeUndefined();
  });

  it('quotes for the shell', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
