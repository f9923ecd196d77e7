import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CustomClassDefinition } from '@steward/protocol';
import { collectCustomClass, CustomClassError, kernelPath } from './custom-class.js';
import { coerceValue, getPath, parseIni, parseKeyValue } from './parsers.js';

const dir = mkdtempSync(join(tmpdir(), 'steward-custom-'));
function fixture(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const KEYVALUE = `# written by the installer
export APP_NAME="Billing Service"
APP_VERSION=4.2.1
APP_PORT = 8443
APP_TLS='yes'
INSTALLED_AT=2024-02-01T10:00:00Z
`;

const INI = `; company agent config
name = global-name
[server]
host = db1.example
port: 5432
[features]
beta = off
`;

const JSON_DOC = JSON.stringify({
  app: { name: 'ledger', build: { number: '812', date: 1706781600 } },
  plugins: [
    { id: 'pdf', version: '1.2.0', enabled: true },
    { id: 'csv', version: '0.9', enabled: 'false' },
  ],
});

describe('parsers', () => {
  it('key=value with quotes, export and spacing', () => {
    const kv = parseKeyValue(KEYVALUE);
    expect(kv.get('APP_NAME')).toBe('Billing Service');
    expect(kv.get('APP_PORT')).toBe('8443');
    expect(kv.get('APP_TLS')).toBe('yes');
  });

  it('ini sections become section.key', () => {
    const ini = parseIni(INI);
    expect(ini.get('name')).toBe('global-name');
    expect(ini.get('server.host')).toBe('db1.example');
    expect(ini.get('server.port')).toBe('5432');
    expect(ini.get('features.beta')).toBe('off');
  });

  it('dotted JSON paths with indexes', () => {
    const doc: unknown = JSON.parse(JSON_DOC);
    expect(getPath(doc, 'app.build.number')).toBe('812');
    expect(getPath(doc, 'plugins.1.id')).toBe('csv');
    expect(getPath(doc, 'plugins[0].version')).toBe('1.2.0');
    expect(getPath(doc, 'app.missing.deeper')).toBeUndefined();
  });

  it('coerces to the declared type', () => {
    expect(coerceValue('8443', 'number')).toBe(8443);
    expect(coerceValue('42 kB', 'number')).toBe(42);
    expect(coerceValue('n/a', 'number')).toBeNull();
    expect(coerceValue('Yes', 'boolean')).toBe(true);
    expect(coerceValue('off', 'boolean')).toBe(false);
    expect(coerceValue('maybe', 'boolean')).toBeNull();
    expect(coerceValue(1706781600, 'datetime')).toBe('2024-02-01T10:00:00.000Z');
    expect(coerceValue('2024-02-01T10:00:00Z', 'datetime')).toBe('2024-02-01T10:00:00.000Z');
    expect(coerceValue({ a: 1 }, 'string')).toBe('{"a":1}');
    expect(coerceValue(12, 'version')).toBe('12');
    expect(coerceValue(undefined, 'string')).toBeNull();
  });
});

function def(
  partial: Pick<CustomClassDefinition, 'source' | 'properties'> & Partial<CustomClassDefinition>,
): CustomClassDefinition {
  return { name: 'testClass', description: '', multiInstance: false, ...partial };
}

describe('custom classes from files', () => {
  it('keyvalue file', async () => {
    const path = fixture('app.env', KEYVALUE);
    const rows = await collectCustomClass(
      def({
        source: { kind: 'file', path, format: 'keyvalue' },
        properties: [
          { name: 'name', type: 'string', from: 'APP_NAME' },
          { name: 'version', type: 'version', from: 'APP_VERSION' },
          { name: 'port', type: 'number', from: 'APP_PORT' },
          { name: 'tls', type: 'boolean', from: 'APP_TLS' },
          { name: 'installedAt', type: 'datetime', from: 'INSTALLED_AT' },
          { name: 'absent', type: 'string', from: 'NOT_THERE' },
        ],
      }),
    );
    expect(rows).toEqual([
      {
        name: 'Billing Service',
        version: '4.2.1',
        port: 8443,
        tls: true,
        installedAt: '2024-02-01T10:00:00.000Z',
        absent: null,
      },
    ]);
  });

  it('ini file', async () => {
    const path = fixture('agent.ini', INI);
    const rows = await collectCustomClass(
      def({
        source: { kind: 'file', path, format: 'ini' },
        properties: [
          { name: 'host', type: 'string', from: 'server.host' },
          { name: 'port', type: 'number', from: 'server.port' },
          { name: 'beta', type: 'boolean', from: 'features.beta' },
        ],
      }),
    );
    expect(rows).toEqual([{ host: 'db1.example', port: 5432, beta: false }]);
  });

  it('json file, single and multi instance', async () => {
    const path = fixture('app.json', JSON_DOC);
    const single = await collectCustomClass(
      def({
        source: { kind: 'file', path, format: 'json' },
        properties: [
          { name: 'app', type: 'string', from: 'app.name' },
          { name: 'build', type: 'number', from: 'app.build.number' },
          { name: 'builtAt', type: 'datetime', from: 'app.build.date' },
        ],
      }),
    );
    expect(single).toEqual([{ app: 'ledger', build: 812, builtAt: '2024-02-01T10:00:00.000Z' }]);
    const plugins = await collectCustomClass(
      def({
        multiInstance: true,
        source: { kind: 'file', path, format: 'json', instancesPath: 'plugins' },
        properties: [
          { name: 'id', type: 'string', from: 'id' },
          { name: 'version', type: 'version', from: 'version' },
          { name: 'enabled', type: 'boolean', from: 'enabled' },
        ],
      }),
    );
    expect(plugins).toEqual([
      { id: 'pdf', version: '1.2.0', enabled: true },
      { id: 'csv', version: '0.9', enabled: false },
    ]);
  });

  it('removes NULs and replaces lone surrogates the file or its JSON holds', async () => {
    const kv = fixture('nul.env', 'TAG=AT\u00004711\nRACK=r\u000012\n');
    expect(
      await collectCustomClass(
        def({
          source: { kind: 'file', path: kv, format: 'keyvalue' },
          properties: [
            { name: 'tag', type: 'string', from: 'TAG' },
            { name: 'rack', type: 'string', from: 'RACK' },
          ],
        }),
      ),
    ).toEqual([{ tag: 'AT4711', rack: 'r12' }]);
    const json = fixture('nul.json', '{"a":"x\\u0000y","b":"lone \\ud800"}');
    expect(
      await collectCustomClass(
        def({
          source: { kind: 'file', path: json, format: 'json' },
          properties: [
            { name: 'a', type: 'string', from: 'a' },
            { name: 'b', type: 'string', from: 'b' },
          ],
        }),
      ),
    ).toEqual([{ a: 'xy', b: 'lone \uFFFD' }]);
  });

  it('fails clearly for a missing file or bad JSON', async () => {
    const props = [{ name: 'x', type: 'string' as const, from: 'x' }];
    await expect(
      collectCustomClass(
        def({
          source: { kind: 'file', path: join(dir, 'nope'), format: 'keyvalue' },
          properties: props,
        }),
      ),
    ).rejects.toThrow(/cannot read/);
    const bad = fixture('bad.json', '{"x": ');
    await expect(
      collectCustomClass(
        def({ source: { kind: 'file', path: bad, format: 'json' }, properties: props }),
      ),
    ).rejects.toBeInstanceOf(CustomClassError);
  });
});

describe('custom classes from commands (real /bin/sh)', () => {
  it('regex with named groups, one instance per match', async () => {
    const rows = await collectCustomClass(
      def({
        multiInstance: true,
        source: {
          kind: 'command',
          command: "printf 'eth0 up 1000\\nwlan0 down 0\\n'",
          format: 'regex',
          pattern: '^(?<iface>\\S+) (?<state>\\S+) (?<speed>\\d+)$',
        },
        properties: [
          { name: 'iface', type: 'string', from: 'iface' },
          { name: 'up', type: 'boolean', from: 'state' },
          { name: 'speed', type: 'number', from: 'speed' },
        ],
      }),
    );
    expect(rows).toEqual([
      { iface: 'eth0', up: null, speed: 1000 },
      { iface: 'wlan0', up: null, speed: 0 },
    ]);
  });

  it('json and keyvalue command output', async () => {
    const json = await collectCustomClass(
      def({
        source: {
          kind: 'command',
          command: `echo '{"kernel":{"release":"'"$(uname -r)"'"}}'`,
          format: 'json',
        },
        properties: [{ name: 'release', type: 'version', from: 'kernel.release' }],
      }),
    );
    expect(json[0]?.['release']).toBe(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    const kv = await collectCustomClass(
      def({
        source: {
          kind: 'command',
          command: 'echo "USERS=$(echo a b c | wc -w)"',
          format: 'keyvalue',
        },
        properties: [{ name: 'users', type: 'number', from: 'USERS' }],
      }),
    );
    expect(kv).toEqual([{ users: 3 }]);
  });

  it('a failing or hanging command fails the class, never the caller', async () => {
    const props = [{ name: 'x', type: 'string' as const, from: 'x' }];
    await expect(
      collectCustomClass(
        def({
          source: { kind: 'command', command: 'echo broken >&2; exit 3', format: 'keyvalue' },
          properties: props,
        }),
      ),
    ).rejects.toThrow(/exited with 3: broken/);
    await expect(
      collectCustomClass(
        def({
          source: {
            kind: 'command',
            command: 'sleep 30 | cat',
            format: 'keyvalue',
            timeoutSeconds: 1,
          },
          properties: props,
        }),
      ),
    ).rejects.toThrow(/timed out after 1 s/);
  });
});

describe('custom classes from the kernel', () => {
  it('reads /proc and /sys values', async () => {
    const rows = await collectCustomClass(
      def({
        source: { kind: 'kernel' },
        properties: [
          { name: 'ostype', type: 'string', from: '/proc/sys/kernel/ostype' },
          { name: 'pidMax', type: 'number', from: '/proc/sys/kernel/pid_max' },
          { name: 'missing', type: 'string', from: '/sys/class/no-such-thing/value' },
        ],
      }),
    );
    expect(rows).toEqual([
      {
        ostype: 'Linux',
        pidMax: Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')),
        missing: null,
      },
    ]);
  });

  it('refuses paths outside /proc and /sys', async () => {
    expect(() => kernelPath('/proc/../etc/shadow')).toThrow(CustomClassError);
    await expect(
      collectCustomClass(
        def({
          source: { kind: 'kernel' },
          properties: [{ name: 'x', type: 'string', from: '/etc/hostname' }],
        }),
      ),
    ).rejects.toThrow(/not under \/proc or \/sys/);
  });
});
