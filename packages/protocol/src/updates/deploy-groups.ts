import { type Static, Type } from '@sinclair/typebox';
import { Description, Name } from '../common/schemas.js';
import { Key } from '../http/common.js';

/**
 * Update groups (issue 10, seed 004's "update list"): a named set of catalog updates that
 * administrators approve together and deploy as one. Deployments of a group read its members
 * when they are built, so a group can keep growing between releases.
 */

/**
 * Update ids as a request names them (at most 1000 at once): catalog updates or custom updates
 * (ADR 0083; both are random ids, so one list names either kind).
 */
export const UpdateIdList = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  minItems: 1,
  maxItems: 1000,
  uniqueItems: true,
});

export const UpdateGroupInput = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    /** Updates to put in the group at once. */
    updateIds: Type.Optional(UpdateIdList),
  },
  { additionalProperties: false },
);
export type UpdateGroupInput = Static<typeof UpdateGroupInput>;

export const UpdateGroupPatch = Type.Object(
  { name: Type.Optional(Name), description: Type.Optional(Description) },
  { additionalProperties: false },
);
export type UpdateGroupPatch = Static<typeof UpdateGroupPatch>;

export const UpdateGroupMembersBody = Type.Object(
  { updateIds: UpdateIdList },
  { additionalProperties: false },
);
export type UpdateGroupMembersBody = Static<typeof UpdateGroupMembersBody>;

export const UpdateGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  /** The group's catalog (apt) updates, in the order they were added. */
  updateIds: Type.Array(Type.String()),
  /** The group's custom updates (ADR 0083), in the order they were added. */
  customUpdateIds: Type.Array(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  updatedAt: Type.String(),
});
export type UpdateGroup = Static<typeof UpdateGroup>;

export const UpdateGroupMemberParams = Type.Object(
  { id: Key, updateId: Key },
  { additionalProperties: false },
);
export type UpdateGroupMemberParams = Static<typeof UpdateGroupMemberParams>;

/** A group's approved content, built into the content library (ADR 0050). */
export const ApprovedContent = Type.Object({
  /** The content package holding the group's approved repository (`updates-<group id>`). */
  packageId: Type.String(),
  packageName: Type.String(),
  versionId: Type.String(),
  versionNumber: Type.Integer(),
  /** Binary packages in the repository. */
  binaries: Type.Integer(),
  /** Fingerprint of the site key that signed its InRelease. */
  signedBy: Type.String(),
});
export type ApprovedContent = Static<typeof ApprovedContent>;
