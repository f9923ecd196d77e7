import { agentOps } from '@steward/protocol';
import { implementAgent } from '../http/agent-operations.js';
import type { App } from '../http/types.js';
import type { SiteContext } from '../context.js';
import type { EnrolmentService } from '../enrolment/service.js';
import type { DeviceAuthenticator } from './device-auth.js';
import type { PolicyService } from './policy.js';
import type { ActivityRecorder } from './activity.js';
import type { PushHub } from '../push/push-hub.js';
import { ingestReportBatch } from './reports.js';
import type { AssignmentService } from '../deployments/assignments.js';
import { AgentBodyLimits } from './endpoint-guard.js';

export interface AgentRouteDeps {
  ctx: SiteContext;
  enrolment: EnrolmentService;
  auth: DeviceAuthenticator;
  policy: PolicyService;
  activity: ActivityRecorder;
  push: PushHub;
  /** Signed per-device deployments document (software distribution). */
  assignments: AssignmentService;
}

/**
 * The management point: what devices call (`agentOps.device`). Every operation but enrol
 * authenticates the device in `onRequest`: a stranger is refused before any body is read.
 */
export function registerAgentRoutes(app: App, deps: AgentRouteDeps): void {
  app.decorateRequest('deviceId', null);
  implementAgent(
    app,
    agentOps.device,
    {
      enroll: (req) => deps.enrolment.enroll(req.body, req.socket.remoteAddress ?? 'unknown'),
      policy: async (req) => {
        const { deviceId } = await deps.auth.authenticate(req);
        const { version, signed } = await deps.policy.signedPolicy(deviceId);
        deps.activity.record(deviceId, 'policy', { policyVersion: version });
        return signed;
      },
      assignments: async (req) => {
        const { deviceId } = await deps.auth.authenticate(req);
        return deps.assignments.signedFor(deviceId);
      },
      heartbeat: async (req) => {
        const { deviceId } = await deps.auth.authenticate(req);
        deps.activity.record(deviceId, 'heartbeat', {
          agentVersion: req.body.agentVersion,
          ...(req.body.policyVersion === undefined
            ? {}
            : { policyVersion: req.body.policyVersion }),
        });
      },
      reports: async (req) => {
        const device = await deps.auth.authenticate(req);
        return ingestReportBatch(deps.ctx, device, req.body.items);
      },
      push: {
        preValidation: async (req) => {
          req.deviceId = (await deps.auth.authenticate(req)).deviceId;
        },
        connect: (socket, req) => {
          if (req.deviceId) deps.push.attach(req.deviceId, socket);
          else socket.close(4001, 'unauthenticated');
        },
      },
    },
    {
      callers: { device: deps.auth.onRequest },
      bodyLimits: {
        enroll: AgentBodyLimits.unauthenticated,
        heartbeat: AgentBodyLimits.heartbeat,
        reports: AgentBodyLimits.reports,
      },
    },
  );
}
