/** Fixtures for the agent's software-distribution tests: a program and a deployment as the
 * assignments document carries them, with overridable fields. */
import {
  DeploymentOptions,
  settingsDefaults,
  type AgentDeployment,
  type AgentProgram,
} from '@steward/protocol';

/** The declared option defaults an agent receives ('enabled' is not sent: all are enabled). */
function agentOptions(): Omit<DeploymentOptions, 'enabled'> {
  const { enabled, ...rest } = settingsDefaults(DeploymentOptions);
  void enabled;
  return rest;
}

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
    // Every option at its declared default (a new option needs no change here), then the ones
    // these tests rely on.
    ...agentOptions(),
    rerun: 'never',
    preDownload: false,
    runOverSlowBoundary: true,
    revision: 1,
    targetedAt: '2026-06-01T00:00:00.000Z',
    ...d,
  };
}
