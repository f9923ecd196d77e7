import { type Static, Type } from '@sinclair/typebox';
import { Sha256 } from '../common/schemas.js';
import { MAX_BYTES } from '../http/paging.js';

/** How an agent version is packaged (packages/agent/packaging/). */
export const AgentPackageKind = Type.Union([
  /** Debian package, architecture all, needs Node.js >= 20. */
  Type.Literal('deb'),
  /** steward-agent-<version>-linux.tar.gz with install-agent.sh, needs Node.js >= 20. */
  Type.Literal('tarball'),
  /** Node.js single executable, for machines without Node.js; one per CPU architecture. */
  Type.Literal('sea'),
]);
export type AgentPackageKind = Static<typeof AgentPackageKind>;

/** Agent semantic version, as in packages/agent/package.json. */
export const AgentVersionString = Type.String({
  minLength: 5,
  maxLength: 64,
  pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.-]+)?$',
});

/** One file of an agent version's manifest. */
export const AgentPackageFile = Type.Object(
  {
    /** File name in the manifest's folder (no path). */
    name: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9._+-]+$' }),
    kind: AgentPackageKind,
    /** `all` for deb and tarball; the Node.js process.arch of a single executable (x64, arm64). */
    arch: Type.String({ minLength: 1, maxLength: 16, pattern: '^[a-z0-9_]+$' }),
    sha256: Sha256,
    size: Type.Integer({ minimum: 0, maximum: MAX_BYTES }),
  },
  { additionalProperties: false },
);
export type AgentPackageFile = Static<typeof AgentPackageFile>;

/** manifest.json written by `npm run package:agent` (packaging/package-all.sh) beside the files. */
export const AgentPackageManifest = Type.Object(
  {
    name: Type.Literal('steward-agent'),
    version: AgentVersionString,
    files: Type.Array(AgentPackageFile, { minItems: 1, maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type AgentPackageManifest = Static<typeof AgentPackageManifest>;
