/**
 * Secrets that must never reach a log even if an object carrying them is logged by mistake:
 * push account credentials (issue 9), at the top level, one level down and in a request body.
 */
export const REDACTED_LOG_PATHS = [
  'privateKey',
  'password',
  'passphrase',
  '*.privateKey',
  '*.password',
  '*.passphrase',
  'req.body.privateKey',
  'req.body.password',
  'req.body.passphrase',
  'auth.privateKey',
  'auth.password',
  'auth.passphrase',
];
