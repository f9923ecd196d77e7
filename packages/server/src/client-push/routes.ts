import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { ClientPushService } from './service.js';

export function registerClientPushRoutes(app: App, push: ClientPushService): void {
  implement(app, ops.clientPush, {
    listAccounts: (req) => push.listAccounts(actorOf(req)),
    createAccount: (req) => push.createAccount(actorOf(req), req.body),
    deleteAccount: (req) => push.deleteAccount(actorOf(req), req.params.id),
    testAccount: (req) => push.testAccount(actorOf(req), req.params.id, req.body.host),
    listHostKeys: (req) => push.listHostKeys(actorOf(req)),
    forgetHostKey: (req) => push.forgetHostKey(actorOf(req), req.params.host),
    startJob: (req) => push.startJob(actorOf(req), req.body),
    listJobs: (req) => push.listJobs(actorOf(req)),
    getJob: (req) => push.getJob(actorOf(req), req.params.id),
    getTarget: (req) => push.getTarget(actorOf(req), req.params.id),
    retryTarget: (req) => push.retryTarget(actorOf(req), req.params.id),
    getSettings: (req) => push.getSettings(actorOf(req)),
    updateSettings: (req) => push.updateSettings(actorOf(req), req.body),
  });
}
