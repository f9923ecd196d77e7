import { describe, expect, it } from 'vitest';
import { combine, evaluateCustomUpdate, type RuleProbes } from './custom-evaluate.js';
import type { RuleSet } from './custom-schemas.js';

/** Probes over a fixed machine description; commands record that they ran. */
function machine(m: {
  packages?: Record<string, string | 'unknown'>;
  files?: Record<string, string | 'unknown'>;
  commands?: Record<string, number | { unknown: string }>;
}) {
  const ran: string[] = [];
  const probes: RuleProbes = {
    packageVersion: (name, arch) =>
      Promise.resolve(m.packages?.[arch ? `${name}:${arch}` : name] ?? m.packages?.[name]),
    fileExists: (path) => {
      const f = m.files?.[path];
      return Promise.resolve(f === 'unknown' ? 'unknown' : f !== undefined);
    },
    fileSha256: (path) => Promise.resolve(m.files?.[path]),
    command: (command) => {
      ran.push(command);
      return Promise.resolve(m.commands?.[command] ?? 127);
    },
  };
  return { probes, ran };
}

const HASH = 'a'.repeat(64);
const detection: RuleSet = {
  match: 'all',
  rules: [
    { kind: 'package', package: 'acme-agent', minVersion: '2.0-1' },
    { kind: 'file-sha256', path: '/opt/acme/bin/acme', sha256: HASH },
  ],
};

describe('custom update rules', () => {
  it('combines all/any with unknown in Kleene order', () => {
    expect(combine('all', [true, true])).toBe(true);
    expect(combine('all', [true, 'unknown'])).toBe('unknown');
    expect(combine('all', ['unknown', false])).toBe(false);
    expect(combine('any', [false, false])).toBe(false);
    expect(combine('any', [false, 'unknown'])).toBe('unknown');
    expect(combine('any', ['unknown', true])).toBe(true);
  });

  it('package versions compare in dpkg order (epochs, tildes)', async () => {
    const cases: [string, RuleSet['rules'][number]['kind'], string][] = [
      ['2.0-1', 'package', 'installed'],
      ['2.0~rc1-1', 'package', 'required'],
      ['1:1.0-1', 'package', 'installed'],
      ['10.0-1', 'package', 'installed'],
      ['1.9.9-9', 'package', 'required'],
    ];
    for (const [version, , state] of cases) {
      const { probes } = machine({ packages: { 'acme-agent': version } });
      const r = await evaluateCustomUpdate(
        {
          detection: { match: 'all', rules: [detection.rules[0]!] },
          applicability: null,
        },
        probes,
      );
      expect([version, r.state]).toEqual([version, state]);
    }
  });

  it('installed when every detection rule holds; required when one fails', async () => {
    const ok = machine({
      packages: { 'acme-agent': '2.1-1' },
      files: { '/opt/acme/bin/acme': HASH },
    });
    expect((await evaluateCustomUpdate({ detection, applicability: null }, ok.probes)).state).toBe(
      'installed',
    );
    const wrongHash = machine({
      packages: { 'acme-agent': '2.1-1' },
      files: { '/opt/acme/bin/acme': 'b'.repeat(64) },
    });
    const r = await evaluateCustomUpdate({ detection, applicability: null }, wrongHash.probes);
    expect(r.state).toBe('required');
    expect(r.details.join('\n')).toContain('does not have the SHA-256');
  });

  it('not required when the applicability rule is false; its commands decide nothing else', async () => {
    const m = machine({ commands: { 'test -d /etc/acme': 1 } });
    const r = await evaluateCustomUpdate(
      {
        detection: { match: 'any', rules: [{ kind: 'command', command: 'acme --check' }] },
        applicability: { match: 'all', rules: [{ kind: 'command', command: 'test -d /etc/acme' }] },
      },
      m.probes,
    );
    expect(r.state).toBe('not-required');
    expect(m.ran).toEqual(['test -d /etc/acme']);
  });

  it('unknown when a rule cannot be decided (a command timed out, a half-installed package)', async () => {
    const timedOut = machine({ commands: { 'acme --check': { unknown: 'timed out after 5 s' } } });
    const r = await evaluateCustomUpdate(
      {
        detection: { match: 'all', rules: [{ kind: 'command', command: 'acme --check' }] },
        applicability: null,
      },
      timedOut.probes,
    );
    expect(r).toEqual({ state: 'unknown', details: ['command: timed out after 5 s'] });
    const half = machine({
      packages: { 'acme-agent': 'unknown' },
      files: { '/opt/acme/bin/acme': HASH },
    });
    expect(
      (await evaluateCustomUpdate({ detection, applicability: null }, half.probes)).state,
    ).toBe('unknown');
  });

  it('an any-set stops at the first rule that holds', async () => {
    const m = machine({ files: { '/opt/acme/VERSION': HASH }, commands: { 'acme --check': 0 } });
    const r = await evaluateCustomUpdate(
      {
        detection: {
          match: 'any',
          rules: [
            { kind: 'file-exists', path: '/opt/acme/VERSION' },
            { kind: 'command', command: 'acme --check', exitCode: 0 },
          ],
        },
        applicability: null,
      },
      m.probes,
    );
    expect(r.state).toBe('installed');
    expect(m.ran).toEqual([]);
  });

  it('a command rule compares the exit code asked for', async () => {
    const m = machine({ commands: { 'acme --version-ok': 3 } });
    const rule = (exitCode: number): RuleSet => ({
      match: 'all',
      rules: [{ kind: 'command', command: 'acme --version-ok', exitCode }],
    });
    expect(
      (await evaluateCustomUpdate({ detection: rule(3), applicability: null }, m.probes)).state,
    ).toBe('installed');
    expect(
      (await evaluateCustomUpdate({ detection: rule(0), applicability: null }, m.probes)).state,
    ).toBe('required');
  });
});
