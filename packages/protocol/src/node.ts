// Node-only helpers (node:crypto, Buffer): kept out of the browser bundle of the console.
export * from './package-set.js';
export * from './enrolment-token.js';
export * from './test-clock.js';
