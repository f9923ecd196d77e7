// Node-only helpers (node:crypto, node:tls, Buffer): kept out of the browser bundle of the console.
export * from './common/clock-file.js';
export * from './distribution/dp-token.js';
export * from './enrolment/token.js';
export * from './inventory/package-set.js';
export * from './site/trust.js';
export * from './media/media-key.js';
