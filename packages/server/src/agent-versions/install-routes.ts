import { readFileSync } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { agentOps } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import type { App } from '../http/types.js';
import { implementAgent } from '../http/agent-operations.js';
import type { ContentStore } from '../content/content-store.js';
import { sendStoredFile } from '../content/serve-file.js';
import { installFileSha256, productionManifestText } from './service.js';

/** The script template (packages/server/assets/install.sh), the same from src/ and dist/. */
const TEMPLATE = readFileSync(new URL('../../assets/install.sh', import.meta.url), 'utf8');

/**
 * The install script for this site. The token, when given, passed the operation's pattern
 * (`stw1.` and base64url only), so it cannot break out of the single quotes it goes in.
 */
export function renderInstallScript(siteUrl: string, token: string | undefined): string {
  return TEMPLATE.replace('@SITE_URL@', siteUrl.replace(/'/g, '')).replace('@TOKEN@', token ?? '');
}

async function sendText(reply: FastifyReply, type: string, body: string): Promise<FastifyReply> {
  return reply.type(type).send(body);
}

/**
 * The public install routes of the agent listener (agentOps.install): the script, the site CA,
 * the production version's manifest (one file per line, for a script without a JSON parser) and
 * the package files of registered versions, streamed from the content library.
 */
export function registerInstallRoutes(
  app: App,
  deps: { ctx: SiteContext; store: ContentStore; caCertPem: string; agentUrl: () => string },
): void {
  const db = deps.ctx.db.kysely;
  implementAgent(app, agentOps.install, {
    script: async (req, reply) =>
      sendText(
        reply.header('cache-control', 'no-store'),
        'text/x-shellscript; charset=utf-8',
        renderInstallScript(deps.agentUrl(), req.query.token),
      ),
    caCertificate: async (_req, reply) => sendText(reply, 'application/x-pem-file', deps.caCertPem),
    manifest: async (_req, reply) =>
      sendText(
        reply.header('cache-control', 'no-store'),
        'application/json',
        await productionManifestText(db),
      ),
    package: async (req, reply) =>
      sendStoredFile(reply, {
        store: deps.store,
        sha256: await installFileSha256(db, req.params.name),
        rangeHeader: req.headers.range,
      }),
  });
}
