import {
  AgentPaths,
  EnrollRequest,
  EnrollResponse,
  HeartbeatBody,
  ReportAck,
  ReportBatch,
  SignedAssignments,
  SignedPolicy,
  SoftwarePaths,
} from '@steward/protocol';
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

/** The management point: what agents call. Every route but enrol authenticates the device. */
export function registerAgentRoutes(app: App, deps: AgentRouteDeps): void {
  app.decorateRequest('deviceId', null);

  app.post(
    AgentPaths.enroll,
    {
      bodyLimit: AgentBodyLimits.unauthenticated,
      schema: { body: EnrollRequest, response: { 200: EnrollResponse } },
    },
    (req) => deps.enrolment.enroll(req.body, req.socket.remoteAddress ?? 'unknown'),
  );

  // Device routes authenticate in onRequest: a stranger is refused before any body is read.
  const onRequest = deps.auth.onRequest;
  const policy = { onRequest, schema: { response: { 200: SignedPolicy } } };
  app.get(AgentPaths.policy, policy, async (req) => {
    const { deviceId } = await deps.auth.authenticate(req);
    const { version, signed } = await deps.policy.signedPolicy();
    deps.activity.record(deviceId, 'policy', { policyVersion: version });
    return signed;
  });

  app.get(
    SoftwarePaths.assignments,
    { onRequest, schema: { response: { 200: SignedAssignments } } },
    async (req) => {
      const { deviceId } = await deps.auth.authenticate(req);
      return deps.assignments.signedFor(deviceId);
    },
  );

  const heartbeat = {
    onRequest,
    bodyLimit: AgentBodyLimits.heartbeat,
    schema: { body: HeartbeatBody },
  };
  app.post(AgentPaths.heartbeat, heartbeat, async (req, reply) => {
    const { deviceId } = await deps.auth.authenticate(req);
    deps.activity.record(deviceId, 'heartbeat', {
      agentVersion: req.body.agentVersion,
      ...(req.body.policyVersion === undefined ? {} : { policyVersion: req.body.policyVersion }),
    });
    return reply.status(204).send();
  });

  app.post(
    AgentPaths.reports,
    {
      onRequest,
      bodyLimit: AgentBodyLimits.reports,
      schema: { body: ReportBatch, response: { 200: ReportAck } },
    },
    async (req) => {
      const device = await deps.auth.authenticate(req);
      return ingestReportBatch(deps.ctx, device, req.body.items);
    },
  );

  app.get(
    AgentPaths.push,
    {
      websocket: true,
      preValidation: async (req) => {
        req.deviceId = (await deps.auth.authenticate(req)).deviceId;
      },
    },
    (socket, req) => {
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- the socket is the one ws constructed; @fastify/websocket types it through ws's interface alias of the class
      if (req.deviceId) deps.push.attach(req.deviceId, socket);
      else socket.close(4001, 'unauthenticated');
    },
  );
}
