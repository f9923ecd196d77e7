import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aptDebianMirror, fromDeb822, fromOneLine } from './apt-sources.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function aptDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'apt-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('the Debian mirror of the machine (apt sources)', () => {
  it('reads one-line sources, skipping comments, options and security/updates suites', () => {
    expect(
      fromOneLine(
        [
          '# deb http://old.example.org/debian bookworm main',
          'deb-src http://src.example.org/debian bookworm main',
          'deb http://mirror.example.org/debian-security bookworm-security main',
          'deb [arch=amd64 signed-by=/k.gpg] http://mirror.example.org/debian/ bookworm main',
        ].join('\n'),
      ),
    ).toBe('http://mirror.example.org/debian');
  });

  it('reads deb822 stanzas, skipping disabled ones and security-only ones', () => {
    const text = [
      'Types: deb\nURIs: http://off.example.org/debian\nSuites: bookworm\nEnabled: no',
      'Types: deb\nURIs: http://mirror.example.org/debian-security\nSuites: bookworm-security',
      'Types: deb deb-src\n# a comment\nURIs: http://mirror.example.org/debian\nSuites: bookworm bookworm-updates\nComponents: main',
    ].join('\n\n');
    expect(fromDeb822(text)).toBe('http://mirror.example.org/debian');
  });

  it('looks in sources.list first, then sources.list.d in name order; none: undefined', () => {
    expect(
      aptDebianMirror(
        aptDir({
          'sources.list.d/b.sources':
            'Types: deb\nURIs: http://b.example.org/debian\nSuites: trixie',
          'sources.list.d/a.list': 'deb http://a.example.org/debian trixie main',
        }),
      ),
    ).toBe('http://a.example.org/debian');
    expect(
      aptDebianMirror(aptDir({ 'sources.list': 'deb http://main.example.org/debian trixie main' })),
    ).toBe('http://main.example.org/debian');
    expect(aptDebianMirror(aptDir({}))).toBeUndefined();
  });
});
