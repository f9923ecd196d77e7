// Node-only helpers (node:crypto, node:tls, Buffer): kept out of the browser bundle of the console.
export * from './package-set.js';
export * from './enrolment-token.js';
export * from './dp-token.js';
export * from './site-trust.js';
export * from './clock-file.js';
