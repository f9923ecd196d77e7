import { type Static, Type } from '@sinclair/typebox';
import { Description, Id, Name, Nullable } from '../common/schemas.js';
import { settingsProperties, settingsValueProperties } from '../common/settings.js';
import { ProgramOptions } from '../deployments/options.js';
import { MAX_INT32 } from '../http/paging.js';

// ---- programs ----

export const PlatformRequirements = Type.Object(
  {
    /** os-release ID or ID_LIKE values, e.g. ["debian", "ubuntu"]; any matches. */
    osFamilies: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
    /** Minimum os-release VERSION_ID, compared as dpkg versions. */
    minOsVersion: Type.Optional(Type.String({ maxLength: 64 })),
    /** `uname -m` values, e.g. ["x86_64", "aarch64"]; any matches. */
    architectures: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
    minFreeDiskMb: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INT32 })),
    minMemoryMb: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INT32 })),
  },
  { additionalProperties: false },
);
export type PlatformRequirements = Static<typeof PlatformRequirements>;

const ExitCodes = Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { maxItems: 256 });

export const ProgramBody = Type.Object(
  {
    name: Name,
    /** Run by `/bin/sh -c` in the working directory. */
    commandLine: Type.String({ minLength: 1, maxLength: 8192 }),
    /** Relative to the package root ('.' by default). */
    workingDirectory: Type.Optional(Type.String({ maxLength: 1024 })),
    /** Who runs it and for how long at most (declared with defaults: deployment-options.ts). */
    ...settingsProperties(ProgramOptions),
    /** Default [0]. */
    successExitCodes: Type.Optional(ExitCodes),
    /** Success, and the machine must restart. Default []. */
    rebootExitCodes: Type.Optional(ExitCodes),
    requirements: Type.Optional(PlatformRequirements),
    /** "Run another program first": must have succeeded on the device before this one runs. */
    dependsOnProgramId: Type.Optional(Nullable(Id)),
    description: Type.Optional(Description),
  },
  { additionalProperties: false },
);
export type ProgramBody = Static<typeof ProgramBody>;
export const UpdateProgramRequest = Type.Partial(ProgramBody, { additionalProperties: false });
export type UpdateProgramRequest = Static<typeof UpdateProgramRequest>;

export const Program = Type.Object({
  id: Type.String(),
  packageId: Type.String(),
  packageName: Type.String(),
  name: Type.String(),
  commandLine: Type.String(),
  workingDirectory: Type.String(),
  ...settingsValueProperties(ProgramOptions),
  successExitCodes: Type.Array(Type.Integer()),
  rebootExitCodes: Type.Array(Type.Integer()),
  requirements: PlatformRequirements,
  dependsOnProgramId: Nullable(Type.String()),
  description: Type.String(),
  /** "Disable this program": stops it everywhere at once, mandatory runs included. */
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Program = Static<typeof Program>;
