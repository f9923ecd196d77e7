import { request } from 'node:https';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOps } from '@steward/protocol';
import { decodeEnrolmentToken } from '@steward/protocol/node';
import { exec, createTestSite, STEWARD, waitFor, type Site } from '../../../test-support/site.js';

function enrol(site: Site, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${site.agentUrl}${agentOps.device.enroll.path}`,
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

// Clears the screen, sets the window title, and (8-bit CSI, bidi override) more of the same.
const EVIL_HOST = 'evil\u001b[2J\u001b]0;pwned\u0007\u009b2J\u202ehost';
const EVIL_VERSION = '1.0\u001b[8m';
const REFUSED_HOST = 'refused\u001b]52;c;cm0gLXJmIH4K\u0007host';
// What no line printed for a human may hold.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Issue 7, finding 5: site text with escape sequences never reaches the terminal raw. */
describe('steward prints site text safely', () => {
  let site: Site;
  let env: NodeJS.ProcessEnv;
  const steward = (args: string[]) => exec(STEWARD, args, { env });

  beforeAll(async () => {
    site = await createTestSite({ withEnrolledDevices: 0 });
    env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      NO_COLOR: '1',
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    const token = await site.api.createToken({ description: 'escapes', maxUses: 1 });
    const decoded = decodeEnrolmentToken(token.token ?? '');
    if (!decoded.ok) throw new Error(decoded.error);
    const base = { osFamily: 'debian' };
    expect(
      await enrol(site, {
        ...base,
        secret: decoded.value.secret,
        hostname: EVIL_HOST,
        agentVersion: EVIL_VERSION,
      }),
    ).toBe(200);
    expect(
      await enrol(site, {
        ...base,
        secret: 'not-a-token-of-this-site',
        hostname: REFUSED_HOST,
        agentVersion: '1.0',
      }),
    ).toBe(401);
    await waitFor('the refused enrolment in the status messages', async () =>
      (await site.api.listStatusMessages({ limit: 1000 })).items.some((m) =>
        m.insertionStrings.includes(REFUSED_HOST),
      ),
    );
  });
  afterAll(async () => {
    await site?.stop();
  });

  it('device list and device show print no control character from the site', async () => {
    for (const args of [
      ['device', 'list'],
      ['device', 'show', EVIL_HOST],
    ]) {
      const r = await steward(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('evil\u241b[2J\u241b]0;pwned\u2407');
      expect(r.stdout).not.toMatch(UNSAFE);
      expect(r.stderr).not.toMatch(UNSAFE);
    }
  });

  it('status list prints the refused host name without its escape sequences', async () => {
    const r = await steward(['status', 'list', '--limit', '100']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('refused\u241b]52;c;');
    expect(r.stdout).not.toMatch(UNSAFE);
  });

  it('error messages that quote site text are printed safely', async () => {
    const r = await steward(['device', 'show', `missing\u001b[2J`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/NOT_FOUND/);
    expect(r.stderr).not.toMatch(UNSAFE);
  });

  it('--json stays the exact value, with every control character escaped', async () => {
    const r = await steward(['device', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(UNSAFE);
    const list = JSON.parse(r.stdout) as { items: { name: string; agentVersion: string }[] };
    expect(list.items[0]).toMatchObject({ name: EVIL_HOST, agentVersion: EVIL_VERSION });
  });
});
