import { ErrorCode } from '../common/errors.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import { Page } from '../http/paging.js';
import {
  CustomUpdate,
  CustomUpdateInput,
  CustomUpdateComplianceSummary,
  CustomUpdateDevice,
  CustomUpdateDevicesQuery,
  CustomUpdatePatch,
  ListCustomUpdatesQuery,
} from './custom-schemas.js';

const tags = ['software-updates'];
const E = ErrorCode;

/** Custom (third-party) updates: administrator-defined catalog entries (issue 10, ADR 0059). */
export const customUpdateOperations = defineOperations({
  listCustomUpdates: {
    method: 'GET',
    path: '/custom-updates',
    query: ListCustomUpdatesQuery,
    responses: { 200: Page(CustomUpdate) },
    permission: 'read',
    errors: [],
    summary: 'Custom updates with their detection rules and programs',
    tags,
  },
  createCustomUpdate: {
    method: 'POST',
    path: '/custom-updates',
    body: CustomUpdateInput,
    responses: { 201: CustomUpdate },
    permission: 'software:write',
    errors: [E.CUSTOM_UPDATE_EXISTS, E.CUSTOM_UPDATE_PROGRAM_NOT_FOUND],
    summary: 'Defines a custom update: identity, detection rules, install and uninstall programs',
    tags,
  },
  getCustomUpdate: {
    method: 'GET',
    path: '/custom-updates/:id',
    params: IdParams,
    responses: { 200: CustomUpdate },
    permission: 'read',
    errors: [E.CUSTOM_UPDATE_NOT_FOUND],
    summary: 'One custom update',
    tags,
  },
  updateCustomUpdate: {
    method: 'PATCH',
    path: '/custom-updates/:id',
    params: IdParams,
    body: CustomUpdatePatch,
    responses: { 200: CustomUpdate },
    permission: 'software:write',
    errors: [E.CUSTOM_UPDATE_NOT_FOUND, E.CUSTOM_UPDATE_EXISTS, E.CUSTOM_UPDATE_PROGRAM_NOT_FOUND],
    summary: 'Changes a custom update (rules, programs, identity)',
    tags,
  },
  deleteCustomUpdate: {
    method: 'DELETE',
    path: '/custom-updates/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [E.CUSTOM_UPDATE_NOT_FOUND],
    summary: 'Removes a custom update (its programs stay in the content library)',
    tags,
  },
  customUpdateCompliance: {
    method: 'GET',
    path: '/custom-updates/:id/compliance',
    params: IdParams,
    responses: { 200: CustomUpdateComplianceSummary },
    permission: 'read',
    errors: [E.CUSTOM_UPDATE_NOT_FOUND],
    summary:
      'How many machines have a custom update installed, need it, do not, cannot tell, or have not scanned it',
    tags,
  },
  customUpdateDevices: {
    method: 'GET',
    path: '/custom-updates/:id/devices',
    params: IdParams,
    query: CustomUpdateDevicesQuery,
    responses: { 200: Page(CustomUpdateDevice) },
    permission: 'read',
    errors: [E.CUSTOM_UPDATE_NOT_FOUND],
    summary: "The machines in one state for a custom update, from each device's scan",
    tags,
  },
});
