import { ops, STATUS_CATALOG } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { clientActivity } from '../monitoring/client-activity.js';
import { listStatusMessages } from './service.js';

export function registerStatusRoutes(app: App, ctx: SiteContext): void {
  implement(app, ops.status, {
    listMessages: (req) => listStatusMessages(ctx, actorOf(req), req.query),
    catalog: (req) => {
      authorize(actorOf(req), 'read');
      return [...STATUS_CATALOG];
    },
    clientActivity: (req) => clientActivity(ctx, actorOf(req), req.query),
  });
}
