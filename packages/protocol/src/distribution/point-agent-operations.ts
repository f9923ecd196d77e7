import { ErrorCode } from '../common/errors.js';
import { FileBytes, FileParams } from '../content/schemas.js';
import { NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { PxeDecisionRequest, PxeDecisionResponse } from '../task-sequences/deployments.js';
import { DpAssignments, DpRegisterRequest, DpRegisterResponse, DpStatusReport } from './schemas.js';

const tags = ['distribution-points'];

/**
 * What a distribution point process (`steward server --roles dp`) calls on the site's agent
 * listener: it registers with its one-time token, polls the packages assigned to it, pulls their
 * files (Range, resumable) and reports what it holds.
 */
export const distributionPointAgentOperations = defineOperations({
  register: {
    method: 'POST',
    path: '/dp/v1/register',
    body: DpRegisterRequest,
    responses: { 200: DpRegisterResponse },
    permission: 'enrolment',
    errors: [ErrorCode.DP_TOKEN_INVALID, ErrorCode.DP_TOKEN_EXPIRED],
    summary: 'Registers a distribution point with its token; answers its key and certificate',
    tags,
  },
  assignments: {
    method: 'GET',
    path: '/dp/v1/assignments',
    responses: { 200: DpAssignments },
    permission: 'distribution-point',
    errors: [],
    summary: 'The package versions this distribution point should hold',
    tags,
  },
  status: {
    method: 'POST',
    path: '/dp/v1/status',
    body: DpStatusReport,
    responses: { 204: NoContent },
    permission: 'distribution-point',
    errors: [],
    summary: 'What this distribution point holds, per package version',
    tags,
  },
  file: {
    method: 'GET',
    path: '/dp/v1/files/:sha256',
    params: FileParams,
    binaryResponse: true,
    responses: { 200: FileBytes },
    permission: 'distribution-point',
    errors: [ErrorCode.CONTENT_NOT_FOUND, ErrorCode.CONTENT_RANGE_NOT_SATISFIABLE],
    summary: 'One file of an assigned package version, resumable with Range',
    tags,
  },
  pxeDecision: {
    method: 'POST',
    path: '/dp/v1/pxe/decision',
    body: PxeDecisionRequest,
    responses: { 200: PxeDecisionResponse },
    permission: 'distribution-point',
    errors: [],
    summary:
      "What a PXE-booting machine is offered: its PXE-enabled task-sequence deployments' boot image (ADR 0076)",
    tags,
  },
});
