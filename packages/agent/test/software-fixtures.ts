/** Fixtures for the agent's software-distribution tests: a program and a deployment as the
 * assignments document carries them, with overridable fields. */
import type { AgentDeployment, AgentProgram } from '@steward/protocol';

export function program(p: Partial<AgentProgram> = {}): AgentProgram {
  return {
    id: 'prog-1',
    name: 'Install tool',
    packageId: 'pkg-1',
    packageName: 'Tool',
    packageVersionId: 'pv-1',
    files: [],
    commandLine: './install.sh',
    workingDirectory: '.',
    runAs: 'root',
    maxRunMinutes: 30,
    successExitCodes: [0],
    rebootExitCodes: [],
    requirements: {},
    dependsOnProgramId: null,
    disabled: false,
    ...p,
  };
}

export function deployment(d: Partial<AgentDeployment> = {}): AgentDeployment {
  return {
    id: 'dep-1',
    name: 'Tool everywhere',
    purpose: 'required',
    programId: 'prog-1',
    triggers: [{ type: 'asap' }],
    availableAt: null,
    expiresAt: null,
    extraAssignments: [],
    timeBase: 'utc',
    rerun: 'never',
    preDownload: false,
    contentMode: 'download',
    runOverSlowBoundary: true,
    allowFallback: true,
    overrideMaintenanceWindows: false,
    maxPostponeMinutes: 0,
    revision: 1,
    targetedAt: '2026-06-01T00:00:00.000Z',
    ...d,
  };
}
