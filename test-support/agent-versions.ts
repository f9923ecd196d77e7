/**
 * Agent versions for real-process tests: a stand-in version (one small tarball) registered
 * through the real path, its file uploaded hash-first into the content library, then the manifest.
 */
import { createHash } from 'node:crypto';
import { ops, type ApiClient } from '@steward/protocol';

export async function registerStandInVersion(api: ApiClient, version: string): Promise<void> {
  const bytes = Buffer.from(`tarball ${version}\n`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await api.call(ops.content.uploadFile, { params: { sha256 }, raw: { body: bytes } });
  await api.call(ops.agentVersions.register, {
    body: {
      name: 'steward-agent',
      version,
      files: [
        {
          name: `steward-agent-${version}-linux.tar.gz`,
          kind: 'tarball',
          arch: 'all',
          sha256,
          size: bytes.length,
        },
      ],
    },
  });
}
