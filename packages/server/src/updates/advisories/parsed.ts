import type { AdvisoryKind, UpdateSeverity } from '@steward/protocol';

/**
 * What every advisory format parses into (ADR 0048): advisories (DSA, DLA, USN, OSV), CVE
 * descriptions, and fixes: one feed's word on one vulnerability in one source package in one
 * release (fixed at a version, or open with no fix released yet).
 */
export interface ParsedAdvisory {
  id: string;
  kind: AdvisoryKind;
  title: string;
  description: string;
  severity: UpdateSeverity;
  publishedAt: string | null;
  cves: string[];
  links: string[];
}

export interface ParsedFix {
  /** A CVE id, or the advisory's own id when it names no CVE. */
  cveId: string;
  release: string;
  package: string;
  /** `tracker`, or the advisory id that said it. */
  origin: string;
  status: 'fixed' | 'open';
  fixedVersion: string | null;
  severity: UpdateSeverity;
}

export interface ParsedFeed {
  advisories: ParsedAdvisory[];
  cves: { id: string; description: string }[];
  fixes: ParsedFix[];
  /**
   * The tracker's source packages: an import of the tracker replaces what the tracker said
   * before about these packages (a package it no longer lists keeps nothing stale).
   */
  trackerPackages: string[];
}

/** Input that is not in the format named; the message says where. Nothing is imported. */
export class AdvisoryFormatError extends Error {}

export function emptyFeed(): ParsedFeed {
  return { advisories: [], cves: [], fixes: [], trackerPackages: [] };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AdvisoryFormatError(
      `${what} is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** A string field, required or optional; anything else is a format error naming the path. */
export function str(o: Record<string, unknown>, key: string, path: string): string;
export function str(
  o: Record<string, unknown>,
  key: string,
  path: string,
  optional: true,
): string | undefined;
export function str(
  o: Record<string, unknown>,
  key: string,
  path: string,
  optional?: true,
): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new AdvisoryFormatError(`${path}.${key} is missing`);
  }
  if (typeof v !== 'string') throw new AdvisoryFormatError(`${path}.${key} is not a string`);
  return v;
}

export function obj(v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw new AdvisoryFormatError(`${path} is not an object`);
  return v;
}

export function strings(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new AdvisoryFormatError(`${path} is not an array`);
  const items: unknown[] = v;
  return items.map((item, i) => {
    if (typeof item !== 'string') throw new AdvisoryFormatError(`${path}[${i}] is not a string`);
    return item;
  });
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION = /^[A-Za-z0-9.+~:-]+$/;

/** A Debian source package name as the feeds use it. */
export function packageName(v: string, path: string): string {
  if (!PACKAGE.test(v)) throw new AdvisoryFormatError(`${path}: "${v}" is not a package name`);
  return v;
}

/** A Debian version string (the feeds' fixed versions). */
export function versionString(v: string, path: string): string {
  if (!VERSION.test(v) || !/^[0-9]/.test(v.replace(/^\d+:/, '')))
    throw new AdvisoryFormatError(`${path}: "${v}" is not a Debian version`);
  return v;
}
