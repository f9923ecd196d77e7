import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  DpMulticast,
  DpMulticastReport,
  DpMulticastSessions,
  DpMulticastSessionsQuery,
  MulticastJoinRequest,
  MulticastJoinResponse,
  UpdateDpMulticastRequest,
} from './schemas.js';

const tags = ['distribution points'];

/** A DP's multicast sessions, managed on the site (issue 11, ADR 0088). */
export const dpMulticastOperations = defineOperations({
  get: {
    method: 'GET',
    path: '/distribution-points/:id/multicast',
    params: IdParams,
    responses: { 200: DpMulticast },
    permission: 'read',
    errors: [ErrorCode.DP_NOT_FOUND],
    summary: "A distribution point's multicast settings",
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/distribution-points/:id/multicast',
    params: IdParams,
    body: UpdateDpMulticastRequest,
    responses: { 200: DpMulticast },
    permission: 'software:write',
    errors: [
      ErrorCode.DP_NOT_FOUND,
      ErrorCode.MULTICAST_SITE_SERVER_DP,
      ErrorCode.MULTICAST_SETTINGS_INVALID,
    ],
    summary:
      "Changes the fields given of a DP's multicast settings; the DP applies them at its next poll",
    tags,
  },
  sessions: {
    method: 'GET',
    path: '/distribution-points/:id/multicast/sessions',
    params: IdParams,
    query: DpMulticastSessionsQuery,
    responses: { 200: DpMulticastSessions },
    permission: 'read',
    errors: [ErrorCode.DP_NOT_FOUND],
    summary:
      'The multicast sessions a DP reported (file, clients, bytes sent, state), newest first',
    tags,
  },
});

/** What a DP process reports about its multicast sessions on the site's agent listener. */
export const dpMulticastAgentOperations = defineOperations({
  report: {
    method: 'POST',
    path: '/dp/v1/multicast/sessions',
    body: DpMulticastReport,
    responses: { 204: NoContent },
    permission: 'distribution-point',
    errors: [],
    summary: "This DP's multicast sessions: those running and those ended since its last report",
    tags,
  },
});

/** What a client (a boot environment, an agent) asks a DP with a content access token. */
export const multicastClientOperations = defineOperations({
  join: {
    method: 'POST',
    path: '/content/v1/multicast/join',
    body: MulticastJoinRequest,
    responses: { 200: MulticastJoinResponse },
    permission: 'content-token',
    errors: [
      ErrorCode.CONTENT_ACCESS_DENIED,
      ErrorCode.CONTENT_NOT_FOUND,
      ErrorCode.MULTICAST_UNAVAILABLE,
      ErrorCode.MULTICAST_SESSION_STARTED,
    ],
    summary:
      'Joins (or starts) the multicast session of a content file; a refusal means: download by HTTP',
    tags: ['content'],
  },
});
