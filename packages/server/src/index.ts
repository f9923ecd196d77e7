export {
  startServer,
  ALL_ROLES,
  type ServerOptions,
  type RunningServer,
  type ServerRole,
} from './server.js';
export {
  openDatabase,
  migrateToLatest,
  MIGRATIONS_LOCK_ID,
  type Db,
  type Dialect,
} from './db/database.js';
export { rotateSiteMasterKey, MasterKeyError, type RotationResult } from './site/site-secrets.js';
