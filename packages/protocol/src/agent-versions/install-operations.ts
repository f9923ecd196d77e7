import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { defineOperations } from '../http/operation.js';
import { AgentPackageManifest } from './schemas.js';

const tags = ['agent install'];

/** An enrolment token as the install script may embed it: `stw1.` and base64url, nothing else. */
export const InstallToken = Type.String({ maxLength: 2048, pattern: '^stw1\\.[A-Za-z0-9_-]+$' });

/**
 * The site-served install script and what it downloads, on the agent listener and public: the
 * one-liner `curl -fsSk https://site:8443/install.sh | sh -s -- --token <token>` runs on a
 * machine that trusts nothing yet. The script pins the site CA by the fingerprint inside the
 * token before it downloads anything else (ADR 0020).
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
