/**
 * The agent version. A constant rather than a read of package.json, so the single-file bundle
 * and the .deb need nothing beside the script; version.test.ts keeps it equal to package.json.
 */
export const AGENT_VERSION = '0.1.0';
