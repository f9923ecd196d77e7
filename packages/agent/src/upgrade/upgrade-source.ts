import { rename, unlink } from 'node:fs/promises';
import { Agent } from 'node:https';
import {
  agentOps,
  type AgentUpgradeLocations,
  type ClientVersionPackage,
  type StatusMessageBody,
} from '@steward/protocol';
import { pinnedTlsOptions } from '@steward/protocol/node';
import type { HttpsClient } from '../channel/https-client.js';
import { errorMessage } from '../errors.js';
import { statusMessage } from '../outbox/status-message.js';
import { downloadFile } from '../software/content/dp-download.js';
import type { PackageDownload } from './package-download.js';

export interface UpgradeSourceOptions {
  http: HttpsClient;
  caPem: string;
  pkg: ClientVersionPackage;
  dest: string;
  /** The version the package belongs to, for messages (the target, or the running one's .deb). */
  version: string;
  report: (m: StatusMessageBody) => Promise<unknown>;
  /** The site's install route, the path every agent used before ADR 0042. */
  fromSite: () => Promise<PackageDownload>;
}

/** The site's answer, or undefined when it has none (an older site, or it could not be asked). */
async function ask(o: UpgradeSourceOptions): Promise<AgentUpgradeLocations | undefined> {
  try {
    return await o.http.call(agentOps.distribution.agentUpgradeLocations, {
      query: { sha256: o.pkg.sha256 },
    });
  } catch {
    return undefined;
  }
}

/**
 * Downloads one package of the signed client-version target from the distribution points the
 * site names for this client (ADR 0042: the content-location rules, in the site's order, with
 * its content access token), resuming across DPs; the bytes must hash to the signed policy's
 * SHA-256 and size. A DP that serves other bytes is reported (AGENT_UPGRADE_CONTENT_REFUSED)
 * and the next one tried. When none delivers, the site's install route is used if the site
 * allows it (its fallback setting) or cannot say; otherwise the download fails, saying why.
 * Locations with a wait (`afterMinutes`: a closer DP holds the version) are not used.
 */
export async function downloadUpgradePackage(o: UpgradeSourceOptions): Promise<PackageDownload> {
  const answer = await ask(o);
  if (answer === undefined) return o.fromSite();
  const usable = answer.content?.locations.filter((l) => l.afterMinutes === 0) ?? [];
  const partial = `${o.dest}.partial`;
  const agent = new Agent({ keepAlive: false, ...pinnedTlsOptions(o.caPem) });
  const problems: string[] = [];
  let refused = false;
  try {
    for (const loc of usable) {
      const got = await downloadFile({
        agent,
        baseUrl: loc.url,
        accessToken: answer.content?.accessToken ?? '',
        sha256: o.pkg.sha256,
        size: o.pkg.size,
        partialPath: partial,
      });
      switch (got.kind) {
        case 'complete':
          await rename(partial, o.dest);
          await o.report(
            statusMessage('AGENT_UPGRADE_CONTENT_DOWNLOADED', [o.pkg.name, o.version, loc.name], {
              distributionPoint: loc.dpId,
            }),
          );
          return { ok: true };
        case 'hash-mismatch': {
          refused = true;
          const why = `its bytes do not have the SHA-256 ${o.pkg.sha256} the signed policy names`;
          problems.push(`${loc.name}: ${why}`);
          await o.report(
            statusMessage('AGENT_UPGRADE_CONTENT_REFUSED', [o.pkg.name, o.version, loc.name, why], {
              distributionPoint: loc.dpId,
            }),
          );
          break;
        }
        case 'failed':
          problems.push(`${loc.name}: ${got.reason}`);
          break;
        case 'local-failure':
          return { ok: false, code: 'AGENT_UPGRADE_DOWNLOAD_FAILED', reason: got.reason };
      }
    }
  } catch (err) {
    problems.push(errorMessage(err));
  } finally {
    agent.destroy();
    await unlink(partial).catch(() => undefined);
  }
  if (answer.siteFallback) {
    const site = await o.fromSite();
    if (site.ok)
      await o.report(
        statusMessage('AGENT_UPGRADE_CONTENT_DOWNLOADED', [
          o.pkg.name,
          o.version,
          'the site server',
        ]),
      );
    return site;
  }
  const reason =
    usable.length === 0
      ? `no distribution point of this client's boundary groups holds version ${answer.version}, and the site allows no fallback`
      : problems.join('; ');
  await o.report(
    statusMessage('AGENT_UPGRADE_CONTENT_UNAVAILABLE', [o.pkg.name, answer.version, reason]),
  );
  return {
    ok: false,
    code: refused ? 'AGENT_UPGRADE_HASH_MISMATCH' : 'AGENT_UPGRADE_DOWNLOAD_FAILED',
    reason: `${o.pkg.name} not downloaded, nothing replaced: ${reason}`.slice(0, 1000),
  };
}
