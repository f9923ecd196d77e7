export { runCli, buildProgram, reportError } from './program.js';
export { nodeIo, type CliIo, type OutStream, type InStream } from './io.js';
export { CliError } from './errors.js';
export {
  configDir,
  sessionPath,
  readSession,
  writeSession,
  deleteSession,
  type Session,
} from './session.js';
