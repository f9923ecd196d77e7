import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { defineOperations } from '../http/operation.js';
import { AgentPackageManifest } from './schemas.js';

const tags = ['agent install'];

/** An enrolment token as the install script may embed it: `stw1.` and base64url, nothing else. */
export const InstallToken = Type.String({ maxLength: 2048, pattern: '^stw1\\.[A-Za-z0-9_-]+$' });

/**
 * The one line an administrator runs as root on a new machine (`installCommandOf`). Nothing it
 * runs comes over an unverified connection: it downloads the site CA, checks it against the
 * SHA-256 of the CA's PEM written into the line (from the console or CLI, over the admin API),
 * then fetches the install script with that CA pinned and runs it. The script pins the CA again
 * by the token's fingerprint before it downloads anything else (ADR 0020).
 */
export function installCommandOf(o: {
  agentUrl: string;
  caPemSha256: string;
  token: string;
}): string {
  const q = (s: string) => `'${s.replace(/'/g, '')}'`;
  const base = o.agentUrl.replace(/\/+$/, '');
  return [
    'd=$(mktemp -d)',
    `curl -fsSko "$d/ca.pem" ${q(`${base}${agentInstallOperations.caCertificate.path}`)}`,
    `echo "${o.caPemSha256.replace(/[^0-9a-f]/g, '')}  $d/ca.pem" | sha256sum -c --status`,
    `curl -fsS --cacert "$d/ca.pem" -o "$d/install.sh" ${q(`${base}${agentInstallOperations.script.path}`)}`,
    `sh "$d/install.sh" --token ${q(o.token)}`,
  ].join(' && ');
}

/**
 * The site-served install script and what it downloads, on the agent listener and public, for
 * a machine that trusts nothing yet: see `installCommandOf`.
 */
export const agentInstallOperations = defineOperations({
  script: {
    method: 'GET',
    path: '/install.sh',
    query: Type.Object({ token: Type.Optional(InstallToken) }, { additionalProperties: false }),
    binaryResponse: true,
    responses: {
      200: Type.String({ contentMediaType: 'text/x-shellscript', description: 'POSIX sh script' }),
    },
    permission: 'agent-public',
    errors: [],
    summary: 'The install script (the token, when given, is written into it)',
    tags,
  },
  caCertificate: {
    method: 'GET',
    path: '/install/ca.pem',
    binaryResponse: true,
    responses: {
      200: Type.String({
        contentMediaType: 'application/x-pem-file',
        description: 'The site CA certificate; check it against the token fingerprint',
      }),
    },
    permission: 'agent-public',
    errors: [],
    summary: 'The site CA certificate (PEM)',
    tags,
  },
  manifest: {
    method: 'GET',
    path: '/install/manifest.json',
    binaryResponse: true,
    responses: { 200: AgentPackageManifest },
    permission: 'agent-public',
    errors: [ErrorCode.AGENT_PACKAGE_NOT_AVAILABLE],
    summary:
      "The production agent version's manifest, one file per line (the script reads it without a JSON parser)",
    tags,
  },
  package: {
    method: 'GET',
    path: '/install/packages/:name',
    params: Type.Object(
      { name: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9._+-]+$' }) },
      { additionalProperties: false },
    ),
    binaryResponse: true,
    responses: {
      200: Type.String({ contentMediaType: 'application/octet-stream', description: 'bytes' }),
    },
    permission: 'agent-public',
    errors: [ErrorCode.AGENT_PACKAGE_NOT_AVAILABLE],
    summary: 'A package file of a registered agent version, resumable with Range',
    tags,
  },
});
