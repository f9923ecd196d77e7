import { type Static, Type } from '@sinclair/typebox';

/** The most services or packages one restart report names (a machine's worth, bounded). */
export const MAX_RESTART_NAMES = 200;

const Names = Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
  maxItems: MAX_RESTART_NAMES,
});

/**
 * Where a device's restart report comes from (issue 10, ADR 0099): `needrestart` (its batch
 * output, `needrestart -b`, where it is installed), `reboot-required` (/run/reboot-required and
 * its .pkgs, and the processes whose executables were replaced on disk) or `prediction` (a
 * rehearsal: from the packages it would install, nothing was changed).
 */
export const RestartNeedSource = Type.Union([
  Type.Literal('needrestart'),
  Type.Literal('reboot-required'),
  Type.Literal('prediction'),
]);
export type RestartNeedSource = Static<typeof RestartNeedSource>;

/** Whether an install left (or, rehearsed, would leave) a reboot and service restarts to do. */
export const RestartNeed = Type.Object(
  {
    reboot: Type.Boolean(),
    /**
     * Services to restart: systemd units (`nginx.service`), or `pid N (/path)` for a process
     * outside any service that runs a replaced executable.
     */
    services: Names,
    /** The packages that ask for the reboot (reboot-required.pkgs, or the predicted ones). */
    packages: Names,
    source: RestartNeedSource,
  },
  { additionalProperties: false },
);
export type RestartNeed = Static<typeof RestartNeed>;
