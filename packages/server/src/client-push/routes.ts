import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { PushAccountService } from './account-service.js';
import type { ClientPushService } from './service.js';

export function registerClientPushRoutes(
  app: App,
  push: ClientPushService,
  accounts: PushAccountService,
): void {
  implement(app, ops.clientPush, {
    listAccounts: (req) => accounts.listAccounts(actorOf(req)),
    createAccount: (req) => accounts.createAccount(actorOf(req), req.body),
    deleteAccount: (req) => accounts.deleteAccount(actorOf(req), req.params.id),
    testAccount: (req) => accounts.testAccount(actorOf(req), req.params.id, req.body.host),
    listHostKeys: (req) => accounts.listHostKeys(actorOf(req)),
    forgetHostKey: (req) => accounts.forgetHostKey(actorOf(req), req.params.host),
    startJob: (req) => push.startJob(actorOf(req), req.body),
    listJobs: (req) => push.listJobs(actorOf(req)),
    getJob: (req) => push.getJob(actorOf(req), req.params.id),
    getTarget: (req) => push.getTarget(actorOf(req), req.params.id),
    retryTarget: (req) => push.retryTarget(actorOf(req), req.params.id),
    getSettings: (req) => push.getSettings(actorOf(req)),
    updateSettings: (req) => push.updateSettings(actorOf(req), req.body),
  });
}
