export { Sha256, WallTime, TimeBase } from './common.js';
export * from './schedule.js';
export * from './content.js';
export * from './deployment-options.js';
export * from './deployments.js';
export * from './agent-software.js';
export * from './schedule-eval.js';
