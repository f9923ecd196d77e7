import { ContentLocations } from '../boundaries/schemas.js';
import { ErrorCode } from '../common/errors.js';
import { AgentUpgradeLocations, AgentUpgradeLocationsQuery } from '../agent-versions/schemas.js';
import { FileBytes, FileParams } from '../content/schemas.js';
import { EnrollRequest, EnrollResponse } from '../enrolment/schemas.js';
import { NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { HeartbeatBody, PushFrame, ReportAck, ReportBatch, SignedPolicy } from './protocol.js';
import { ContentLocationsQuery, SignedAssignments } from './software.js';

const tags = ['agent'];

/**
 * What a device calls on the agent listener (HTTPS with the site CA): enrolment, policy, its
 * deployments, heartbeats, reports and the push channel. Every operation but enrolment
 * authenticates the device with its key header before the body is read.
 */
export const deviceAgentOperations = defineOperations({
  enroll: {
    method: 'POST',
    path: '/agent/v1/enroll',
    body: EnrollRequest,
    responses: { 200: EnrollResponse },
    permission: 'enrolment',
    errors: [
      ErrorCode.TOKEN_INVALID,
      ErrorCode.TOKEN_REVOKED,
      ErrorCode.TOKEN_EXPIRED,
      ErrorCode.TOKEN_EXHAUSTED,
    ],
    summary: 'Enrols a device with an enrolment token secret; answers its identity and key',
    tags,
  },
  policy: {
    method: 'GET',
    path: '/agent/v1/policy',
    responses: { 200: SignedPolicy },
    permission: 'device',
    errors: [],
    summary: "The site's signed policy (client settings, inventory classes)",
    tags,
  },
  assignments: {
    method: 'GET',
    path: '/agent/v1/assignments',
    responses: { 200: SignedAssignments },
    permission: 'device',
    errors: [],
    summary: "The device's signed deployments, programs and maintenance windows",
    tags,
  },
  heartbeat: {
    method: 'POST',
    path: '/agent/v1/heartbeat',
    body: HeartbeatBody,
    responses: { 204: NoContent },
    permission: 'device',
    errors: [],
    summary: 'The agent is alive and runs this policy version',
    tags,
  },
  reports: {
    method: 'POST',
    path: '/agent/v1/reports',
    body: ReportBatch,
    responses: { 200: ReportAck },
    permission: 'device',
    errors: [ErrorCode.DEVICE_UNKNOWN],
    summary: 'A batch of outbox items (status messages, inventory, deployment states)',
    tags,
  },
  push: {
    method: 'GET',
    path: '/agent/v1/push',
    webSocket: PushFrame,
    responses: {},
    permission: 'device',
    errors: [],
    summary: 'The push channel: the site nudges, the agent fetches over HTTPS',
    tags,
  },
});

/** Where a device may download content from (the distribution domain answers). */
export const contentLocationOperations = defineOperations({
  contentLocations: {
    method: 'GET',
    path: '/agent/v1/content-locations',
    query: ContentLocationsQuery,
    responses: { 200: ContentLocations },
    permission: 'device',
    errors: [
      ErrorCode.PACKAGE_VERSION_NOT_FOUND,
      ErrorCode.CONTENT_NOT_ENTITLED,
      ErrorCode.INVALID_ADDRESS,
    ],
    summary:
      'The distribution points a device may download a version from, for the address it calls from, with a content access token',
    tags,
  },
  agentUpgradeLocations: {
    method: 'GET',
    path: '/agent/v1/agent-upgrade-locations',
    query: AgentUpgradeLocationsQuery,
    responses: { 200: AgentUpgradeLocations },
    permission: 'device',
    errors: [ErrorCode.CONTENT_NOT_ENTITLED, ErrorCode.INVALID_ADDRESS],
    summary:
      "Where a device downloads one package of its signed client-version target: the DPs holding the agent version's content, with a content access token, and whether the site's install route is a fallback (ADR 0042)",
    tags,
  },
});

/**
 * Content files, served by every distribution point (the site server's agent listener and
 * `steward server --roles dp` processes) to holders of a content access token.
 */
export const contentFileOperations = defineOperations({
  file: {
    method: 'GET',
    path: '/content/v1/files/:sha256',
    params: FileParams,
    binaryResponse: true,
    responses: { 200: FileBytes },
    permission: 'content-token',
    errors: [
      ErrorCode.CONTENT_ACCESS_DENIED,
      ErrorCode.CONTENT_NOT_FOUND,
      ErrorCode.CONTENT_RANGE_NOT_SATISFIABLE,
    ],
    summary: 'One content file by its SHA-256, resumable with Range',
    tags: ['content'],
  },
});
