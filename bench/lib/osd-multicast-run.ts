/**
 * The body of `bench/osd-multicast.mjs` (bundled by esbuild there): a site, a DP process in a
 * network namespace with a bridge, and --clients client namespaces. The same file goes to every
 * client twice: once by one multicast session (udpcast) and once by as many unicast HTTP
 * downloads at the same time. Measured: the DP bridge's transmitted bytes and the wall time
 * from the first client's start to the last verified file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ops, type ContentLocations } from '@steward/protocol';
import { createTestSite, waitFor } from '../../test-support/site.js';
import {
  askLocations,
  deployToDevice,
  deviceCredentials,
} from '../../test-support/content-access.js';
import { createMulticastLan } from '../../test-support/multicast/lan.js';
import { fetchIn, startLanDp } from '../../test-support/multicast/dp.js';
import { sha256File } from './osd-multicast-hash.js';

export async function runOsdMulticastBench(o: { sizeMb: number; clients: number }) {
  const site = await createTestSite({ dialect: 'sqlite', withEnrolledDevices: 1 });
  const lan = await createMulticastLan({
    clients: o.clients,
    sitePort: Number(new URL(site.agentUrl).port),
    tag: 'bn',
  });
  try {
    const file = randomBytes(o.sizeMb * 1024 * 1024);
    const sha256 = createHash('sha256').update(file).digest('hex');
    await site.api.createPackage({ name: 'bench-image' });
    await site.api.uploadContentFile(sha256, file);
    const version = await site.api.createVersionFromFiles('bench-image', [
      { path: 'root.tar.zst', sha256, size: file.length, mode: 0o644 },
    ]);
    const dp = await startLanDp(site, lan, 'bench-dp');
    await site.api.call(ops.dpMulticast.update, {
      params: { id: dp.dpId },
      body: { enabled: true, minClients: o.clients, startTimeoutSeconds: 120 },
    });
    await site.api.distributePackage('bench-image', { dpIds: [dp.dpId] });
    await waitFor(
      'the file on the DP',
      async () => (await site.api.packageContentStatus('bench-image')).installed === 1,
      600_000,
      500,
    );
    await waitFor('multicast on the DP', () => dp.log().includes('"enabled":true'), 60_000);
    const agent = site.agents[0];
    if (!agent) throw new Error('no device');
    const device = deviceCredentials(agent);
    await deployToDevice(site.api, 'bench-image', device.deviceId);
    const where = await askLocations(site.agentUrl, device, version.id);
    const { accessToken } = JSON.parse(where.body.toString()) as ContentLocations;
    const caFile = join(lan.dir, 'ca.pem');
    writeFileSync(caFile, device.caPem);
    const round = async (multicast: boolean) => {
      const before = lan.dpSentBytes();
      const started = process.hrtime.bigint();
      const results = await Promise.all(
        Array.from({ length: o.clients }, (_, i) =>
          fetchIn(lan, i, {
            url: dp.url,
            sha256,
            size: file.length,
            token: accessToken,
            caFile,
            multicast,
          }),
        ),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      for (const r of results) {
        if ((await sha256File(r.file)) !== sha256) throw new Error('a client got a wrong file');
        if (r.result.method !== (multicast ? 'multicast' : 'http'))
          throw new Error(`a client used ${r.result.method}: ${r.result.fallback ?? ''}`);
      }
      return {
        dpSentBytes: lan.dpSentBytes() - before,
        wallSeconds: Math.round(seconds * 100) / 100,
      };
    };
    const multicast = await round(true);
    const unicast = await round(false);
    const sessions = await site.api.call(ops.dpMulticast.sessions, {
      params: { id: dp.dpId },
      query: {},
    });
    return {
      fileBytes: file.length,
      clients: o.clients,
      multicast: { ...multicast, sessionBytesSent: sessions.items[0]?.bytesSent ?? null },
      unicast,
      sentRatio: Math.round((multicast.dpSentBytes / unicast.dpSentBytes) * 1000) / 1000,
    };
  } finally {
    await lan.dispose();
    await site.stop();
  }
}
