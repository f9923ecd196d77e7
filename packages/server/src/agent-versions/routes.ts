import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { AgentVersionService } from './service.js';
import type { AgentVersionContentService } from './content.js';

/** Client versions (Administration > Client versions): agent versions and which runs where. */
export function registerAgentVersionRoutes(
  app: App,
  deps: { versions: AgentVersionService; content: AgentVersionContentService },
): void {
  const { versions: service, content } = deps;
  implement(app, ops.agentVersions, {
    list: (req) => service.list(actorOf(req)),
    get: (req) => service.get(actorOf(req), req.params.version),
    register: (req) => service.register(actorOf(req), req.body),
    distribute: (req) => content.distribute(actorOf(req), req.params.version, req.body),
    contentStatus: (req) => content.contentStatus(actorOf(req), req.params.version),
    validate: (req) => content.validate(actorOf(req), req.params.version, req.body),
    getSettings: (req) => service.getSettings(actorOf(req)),
    updateSettings: (req) => service.updateSettings(actorOf(req), req.body),
    promote: (req) => service.promote(actorOf(req)),
    upgrades: (req) => service.upgrades(actorOf(req), req.query),
    deviceUpgradeStatus: (req) => service.deviceUpgradeStatus(actorOf(req), req.params.id),
  });
}
