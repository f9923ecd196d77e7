import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { EnrolmentService } from './service.js';

export function registerEnrolmentRoutes(app: App, service: EnrolmentService): void {
  implement(app, ops.enrolment, {
    listTokens: (req) => service.listTokens(actorOf(req)),
    createToken: (req) =>
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the body is Type.Optional, which its static type does not show: undefined when none is sent
      service.createToken(actorOf(req), req.body ?? {}),
    revokeToken: (req) => service.revokeToken(actorOf(req), req.params.id),
  });
}
