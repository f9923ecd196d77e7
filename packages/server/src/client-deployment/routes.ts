import { ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import type { ClientStatusService } from './service.js';

/** Monitoring > Client status: the dashboards, the failure chart and the reports. */
export function registerClientStatusRoutes(app: App, service: ClientStatusService): void {
  implement(app, ops.clientStatus, {
    summary: (req) => service.summary(actorOf(req), req.query),
    devices: (req) => service.devices(actorOf(req), req.query),
    failures: (req) => service.failures(actorOf(req), req.query),
    byCollectionReport: (req) => service.byCollection(actorOf(req), req.query),
    failuresReport: (req) => service.failureReport(actorOf(req), req.query),
  });
}
