import { SoftwareErrorCode } from '@steward/protocol';

/** The deployments codes, from the one list in protocol (`SoftwareErrorCode`, part of `ErrorCode`). */
export const DeploymentErrorCode = SoftwareErrorCode;
