import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPxeSettings } from './pxe.js';

describe('the DP PXE settings file', () => {
  const dirs: string[] = [];
  const withFile = (content: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-pxe-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'pxe.json'), content);
    return dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is optional: no file, no PXE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-pxe-'));
    dirs.push(dir);
    expect(loadPxeSettings(dir)).toBeUndefined();
  });

  it('fills what it leaves out with the declared defaults', () => {
    const dir = withFile(JSON.stringify({ enabled: true, serverAddress: '10.1.2.3' }));
    expect(loadPxeSettings(dir)).toEqual({
      enabled: true,
      serverAddress: '10.1.2.3',
      answerBios: true,
      answerUefi: true,
      respondToUnknown: false,
      responseDelaySeconds: 0,
      httpPort: 8080,
      firstStageDir: '/usr/lib/ipxe',
      bootImage: null,
      images: {},
      machines: [],
    });
  });

  it('refuses a file that does not match the schema, saying where', () => {
    expect(() => loadPxeSettings(withFile('[]'))).toThrow(/not a JSON object/);
    expect(() => loadPxeSettings(withFile('{"enabled":true}'))).toThrow(/serverAddress/);
    expect(() => loadPxeSettings(withFile('{"serverAddress":"10.1.2.300"}'))).toThrow(
      /serverAddress/,
    );
    expect(() =>
      loadPxeSettings(withFile('{"serverAddress":"10.1.2.3","responseDelaySeconds":99}')),
    ).toThrow(/responseDelaySeconds/);
    expect(() => loadPxeSettings(withFile('{"serverAddress":"10.1.2.3","dhcp":true}'))).toThrow(
      /not valid PXE settings/,
    );
    expect(() =>
      loadPxeSettings(
        withFile(
          '{"serverAddress":"10.1.2.3","machines":[{"mac":"zz","image":"x","required":true}]}',
        ),
      ),
    ).toThrow(/machines\/0\/mac/);
  });
});
