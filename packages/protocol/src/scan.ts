// The update scan's evaluation alone, without the protocol's TypeBox schemas: what a process
// that only scans loads (ADR 0064; the whole protocol costs ~18 MB and seconds to load on a
// busy machine, more than the scan itself).
export * from './updates/scan-evaluate.js';
export { packageKey, parseDpkgStatus, type DpkgPackage } from './updates/dpkg-status.js';
export type { ScanCatalogUpdate, UpdateScanResult } from './updates/scan-schemas.js';
