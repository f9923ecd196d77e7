/**
 * Replaced by the build (packaging/bundle.sh passes esbuild `--define`) when STEWARD_AGENT_VERSION
 * overrides the package version; undeclared everywhere else, hence the `typeof` test.
 */
declare const STEWARD_AGENT_VERSION_OVERRIDE: string | undefined;

/**
 * The agent version. A constant rather than a read of package.json, so the single-file bundle
 * and the .deb need nothing beside the script; version.test.ts keeps it equal to package.json.
 */
export const AGENT_VERSION: string =
  typeof STEWARD_AGENT_VERSION_OVERRIDE === 'string' ? STEWARD_AGENT_VERSION_OVERRIDE : '0.1.0';
