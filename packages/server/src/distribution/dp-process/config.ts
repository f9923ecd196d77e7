import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { writePrivateFileAtomic } from '../../site/private-files.js';

/**
 * `<data>/dp.json`: what registration gave this DP. Written once (mode 0600: it holds the DP key
 * and the TLS private key); later starts reuse it and need no token.
 */
export const DpConfig = Type.Object({
  /** The site's agent URL (DP API) and its CA, pinned at registration. */
  siteUrl: Type.String(),
  caPem: Type.String(),
  siteCode: Type.String(),
  dpId: Type.String(),
  dpKey: Type.String(),
  /** Where clients reach this DP, as registered. */
  url: Type.String(),
  certChainPem: Type.String(),
  keyPem: Type.String(),
  /** SPKI PEM of the key that signs content access tokens. */
  accessTokenKey: Type.String(),
  registeredAt: Type.String(),
});
export type DpConfig = Static<typeof DpConfig>;

export function configPath(dataDir: string): string {
  return join(dataDir, 'dp.json');
}

/** The saved registration, undefined on first start; a damaged file is an error, not a reset. */
export function loadDpConfig(dataDir: string): DpConfig | undefined {
  const path = configPath(dataDir);
  if (!existsSync(path)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Value.Check(DpConfig, parsed))
    throw new Error(
      `${path} is not a distribution point registration (remove it to register again)`,
    );
  return parsed;
}

export function saveDpConfig(dataDir: string, config: DpConfig): void {
  const path = configPath(dataDir);
  writePrivateFileAtomic(path, JSON.stringify(config, null, 2));
}
