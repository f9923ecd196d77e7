export {
  startServer,
  ALL_ROLES,
  type ServerOptions,
  type RunningServer,
  type ServerRole,
} from './server.js';
export { openDatabase, migrateToLatest, type Db, type Dialect } from './db/database.js';
export { rotateSiteMasterKey, MasterKeyError, type RotationResult } from './site/site-secrets.js';
