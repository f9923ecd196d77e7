/** Stable error codes of phased deployments (besides the deployment codes they share). */
export const PhasedErrorCode = {
  INVALID_PHASES: 'INVALID_PHASES',
  PHASED_DEPLOYMENT_NOT_FOUND: 'PHASED_DEPLOYMENT_NOT_FOUND',
  PHASED_DEPLOYMENT_NAME_TAKEN: 'PHASED_DEPLOYMENT_NAME_TAKEN',
  /** Halt asked of a rollout that is already halted or completed. */
  PHASED_DEPLOYMENT_NOT_RUNNING: 'PHASED_DEPLOYMENT_NOT_RUNNING',
  /** Resume asked of a rollout that is running or completed. */
  PHASED_DEPLOYMENT_NOT_HALTED: 'PHASED_DEPLOYMENT_NOT_HALTED',
} as const;
