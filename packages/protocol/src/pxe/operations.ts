import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  DpPxe,
  DpPxeActivity,
  DpPxeActivityQuery,
  DpPxeActivityReport,
  UpdateDpPxeRequest,
} from './site-schemas.js';

const tags = ['distribution points'];

/** A DP's PXE responder, managed on the site (issue 11, ADR 0079). */
export const dpPxeOperations = defineOperations({
  get: {
    method: 'GET',
    path: '/distribution-points/:id/pxe',
    params: IdParams,
    responses: { 200: DpPxe },
    permission: 'read',
    errors: [ErrorCode.DP_NOT_FOUND],
    summary: "A distribution point's PXE settings",
    tags,
  },
  update: {
    method: 'PATCH',
    path: '/distribution-points/:id/pxe',
    params: IdParams,
    body: UpdateDpPxeRequest,
    responses: { 200: DpPxe },
    permission: 'software:write',
    errors: [
      ErrorCode.DP_NOT_FOUND,
      ErrorCode.BOUNDARY_GROUP_NOT_FOUND,
      ErrorCode.PXE_SITE_SERVER_DP,
    ],
    summary: "Changes the fields given of a DP's PXE settings; the DP applies them without restart",
    tags,
  },
  activity: {
    method: 'GET',
    path: '/distribution-points/:id/pxe/activity',
    params: IdParams,
    query: DpPxeActivityQuery,
    responses: { 200: DpPxeActivity },
    permission: 'read',
    errors: [ErrorCode.DP_NOT_FOUND],
    summary: 'The PXE requests a DP saw and what it decided, newest first (per machine with mac)',
    tags,
  },
});

/** What a DP process reports about PXE on the site's agent listener. */
export const dpPxeAgentOperations = defineOperations({
  activity: {
    method: 'POST',
    path: '/dp/v1/pxe/activity',
    body: DpPxeActivityReport,
    responses: { 204: NoContent },
    permission: 'distribution-point',
    errors: [],
    summary: 'The PXE requests this DP saw since its last report',
    tags,
  },
});
