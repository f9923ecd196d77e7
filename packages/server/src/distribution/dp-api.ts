import { Type } from '@sinclair/typebox';
import {
  DpAssignments,
  DpRegisterRequest,
  DpRegisterResponse,
  DpStatusReport,
  SoftwarePaths,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { isSha256, type ContentStore } from '../content/content-store.js';
import { contentFileNotFound, sendStoredFile } from '../content/serve-file.js';
import type { DpSiteService } from './dp-site-service.js';
import { AgentBodyLimits } from '../agent-api/endpoint-guard.js';

const FileParams = Type.Object({ sha256: Type.String() });

/** Where the request came from, as a DP's registration message shows it. */
function remoteOf(address: string | undefined): string {
  return (address ?? 'unknown').replace(/^::ffff:/, '');
}

/**
 * The DP-facing site API on the agent listener (HTTPS with the site CA): `steward server --roles
 * dp` processes register, poll their assignments, pull files (Range, resumable) and report.
 */
export function registerDpApiRoutes(
  app: App,
  deps: { service: DpSiteService; store: ContentStore },
): void {
  const { service, store } = deps;
  app.post(
    SoftwarePaths.dpRegister,
    {
      bodyLimit: AgentBodyLimits.unauthenticated,
      schema: { body: DpRegisterRequest, response: { 200: DpRegisterResponse } },
    },
    (req) => service.register(req.body, remoteOf(req.socket.remoteAddress)),
  );

  // DP routes authenticate in onRequest: a stranger is refused before any body is read.
  const onRequest = service.onRequest;
  app.get(
    SoftwarePaths.dpAssignments,
    { onRequest, schema: { response: { 200: DpAssignments } } },
    async (req) => service.assignments(await service.authenticate(req)),
  );

  const status = {
    onRequest,
    bodyLimit: AgentBodyLimits.dpStatus,
    schema: { body: DpStatusReport },
  };
  app.post(SoftwarePaths.dpStatus, status, async (req, reply) => {
    await service.status(await service.authenticate(req), req.body);
    return reply.status(204).send();
  });

  const file = { onRequest, schema: { params: FileParams } };
  app.get(SoftwarePaths.dpFile, file, async (req, reply) => {
    const dp = await service.authenticate(req);
    const { sha256 } = req.params;
    if (!isSha256(sha256) || !(await service.mayFetch(dp, sha256)))
      throw contentFileNotFound(sha256);
    return sendStoredFile(reply, {
      store,
      sha256,
      rangeHeader: req.headers.range,
      onPartial: (from) => req.log.info({ dp: dp.id, sha256, from }, 'DP resumes a file'),
    });
  });
}
