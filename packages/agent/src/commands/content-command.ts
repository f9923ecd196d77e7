import { readFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Agent } from 'node:https';
import { AgentError, ExitCode } from '../errors.js';
import { fetchContentFile } from '../software/content/multicast-download.js';
import type { CliIo } from './cli-io.js';

export interface ContentFetchArgs {
  action: string | undefined;
  url: string | undefined;
  sha256: string | undefined;
  size: string | undefined;
  token: string | undefined;
  ca: string | undefined;
  out: string | undefined;
  multicast: boolean;
  json: boolean;
}

function need(value: string | undefined, flag: string): string {
  if (value === undefined || value === '')
    throw new AgentError('USAGE', `content fetch needs --${flag}`);
  return value;
}

/**
 * `steward-agent content fetch`: one content file from a DP with a content access token, by
 * multicast when `--multicast` is given and the DP offers a session (ADR 0088), else by HTTP;
 * verified by SHA-256 either way, then moved to `--out`. The boot environment's downloads (an
 * OS image's archives) go through here.
 */
export async function contentCommand(a: ContentFetchArgs, io: CliIo): Promise<number> {
  if (a.action !== 'fetch') throw new AgentError('USAGE', 'usage: steward-agent content fetch ...');
  const sha256 = need(a.sha256, 'sha256').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AgentError('USAGE', '--sha256 takes 64 hex digits');
  const size = Number(need(a.size, 'size'));
  if (!Number.isSafeInteger(size) || size < 0)
    throw new AgentError('USAGE', '--size takes a number of bytes');
  const out = need(a.out, 'out');
  const partialPath = `${out}.partial`;
  const agent = new Agent({ ca: readFileSync(need(a.ca, 'ca'), 'utf8'), keepAlive: false });
  try {
    const result = await fetchContentFile({
      agent,
      baseUrl: need(a.url, 'url'),
      accessToken: need(a.token, 'token'),
      sha256,
      size,
      partialPath,
      multicast: a.multicast,
    });
    if (result.kind === 'complete') await rename(partialPath, out);
    const shown = { ...result, sha256, size, out };
    if (a.json) io.out(`${JSON.stringify(shown)}\n`);
    else if (result.kind === 'complete')
      io.out(
        `${out}: ${size} bytes by ${result.method}${result.fallback ? ` (multicast not used: ${result.fallback})` : ''}\n`,
      );
    if (result.kind === 'complete') return ExitCode.ok;
    io.err(
      `error DOWNLOAD_FAILED: ${'reason' in result ? result.reason : 'the file failed hash verification'}\n`,
    );
    return ExitCode.failure;
  } finally {
    agent.destroy();
  }
}
