/**
 * Entry point of the collection process when the agent is installed as a bundle (.deb,
 * tarball): packaging/bundle-collect.mjs bundles this file to steward-collect.mjs beside
 * steward-agent.mjs, and collect-process.ts starts it instead of `steward-agent
 * __collect-inventory`. It holds the collectors and the few protocol schemas they use, not the
 * whole agent and protocol, so the short-lived process of ADR 0021 starts in about half the CPU
 * time and peaks ~10 MB lower (bench/results/agent.json). No top-level await: one source for
 * ESM and CommonJS.
 */
import { AgentError, errorMessage } from './errors.js';
import { collectChildMain } from './inventory/collect-child.js';

collectChildMain().then(
  (code) => process.exit(code),
  (e: unknown) => {
    // As runCli prints it for `steward-agent __collect-inventory`.
    const code = e instanceof AgentError ? e.code : 'INTERNAL';
    process.stderr.write(`error ${code}: ${errorMessage(e)}\n`, () => process.exit(1));
  },
);
