import { ops } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { App } from '../http/types.js';
import { globalSearch } from './service.js';

export function registerSearchRoutes(app: App, ctx: SiteContext): void {
  implement(app, ops.search, {
    search: (req) => globalSearch(ctx, actorOf(req), req.query),
  });
}
