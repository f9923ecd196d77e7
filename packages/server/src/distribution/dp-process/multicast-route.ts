import { agentOps, ConflictError, ErrorCode, UnauthenticatedError } from '@steward/protocol';
import type { App } from '../../http/types.js';
import { implementAgent } from '../../http/agent-operations.js';
import { isSha256 } from '../../content/content-store.js';
import { contentFileNotFound } from '../../content/serve-file.js';
import type { DpMulticastController } from './multicast.js';
import type { DpContentAccess } from './start.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * `POST /content/v1/multicast/join` on a DP (ADR 0088): the same content access token and file
 * check as a download of the file; the answer names the session's address and port base for
 * the client's `udp-receiver`. Any refusal means "download by HTTP".
 */
export function registerMulticastJoinRoute(
  app: App,
  deps: { access: DpContentAccess; controller: () => DpMulticastController | undefined },
): void {
  implementAgent(app, agentOps.multicast, {
    join: async (req) => {
      const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
      if (!token)
        throw new UnauthenticatedError(
          ErrorCode.CONTENT_ACCESS_DENIED,
          'send Authorization: Bearer <content access token>',
        );
      const claims = deps.access.verifyToken(token);
      const { sha256 } = req.body;
      if (!isSha256(sha256)) throw contentFileNotFound(sha256);
      await deps.access.checkFile(claims, sha256);
      const controller = deps.controller();
      if (!controller)
        throw new ConflictError(
          ErrorCode.MULTICAST_UNAVAILABLE,
          'this distribution point has not started yet: download by HTTP',
        );
      const answer = await controller.join(sha256, req.socket.localAddress);
      req.log.info(
        { sha256, deviceId: claims.deviceId, session: answer.sessionId },
        'multicast join',
      );
      return answer;
    },
  });
}
