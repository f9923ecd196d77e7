import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { defineOperations } from '../http/operation.js';
import { SiteInfo, SiteSettings } from './schemas.js';

const tags = ['site'];

/** The site itself: liveness, identity and site-wide settings. */
export const siteOperations = defineOperations({
  health: {
    method: 'GET',
    path: '/health',
    responses: { 200: Type.Object({ ok: Type.Boolean() }) },
    permission: 'public',
    errors: [],
    summary: 'Whether the site answers (for load balancers and monitors)',
    tags,
  },
  info: {
    method: 'GET',
    path: '/site',
    responses: { 200: SiteInfo },
    permission: 'signed-in',
    errors: [],
    summary: 'The site code, version and roles of this server',
    tags,
  },
  getSettings: {
    method: 'GET',
    path: '/site-settings',
    responses: { 200: SiteSettings },
    permission: 'read',
    errors: [],
    summary: 'Site-wide settings',
    tags,
  },
  updateSettings: {
    method: 'PUT',
    path: '/site-settings',
    body: Type.Partial(SiteSettings, { additionalProperties: false }),
    responses: { 200: SiteSettings },
    permission: 'devices:write',
    errors: [ErrorCode.INVALID_INPUT],
    summary: 'Changes the site-wide settings given',
    tags,
  },
});
