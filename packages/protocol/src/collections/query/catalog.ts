import type { InventoryClassShape } from '../../inventory/schemas.js';

/**
 * The `device` pseudo-class: facts the site itself records about each device (not collected
 * inventory). The server maps each property to a column of the device table.
 */
export const DEVICE_CLASS: InventoryClassShape = {
  name: 'device',
  description: 'The device record kept by the site (name, enrolment, last contact, agent version)',
  multiInstance: false,
  properties: {
    id: 'string',
    name: 'string',
    enrolledAt: 'datetime',
    lastContactAt: 'datetime',
    agentVersion: 'version',
  },
};

/**
 * The `update` pseudo-class: the device's software update compliance (ADR 0063), one instance
 * per update that is installed, required or unknown on the device, from its scan of the current
 * catalog or else from its inventoried package set, exactly as v_update_compliance answers;
 * custom updates from the device's scan of their rules (ADR 0083).
 * Not-required updates have no instance. Used through any(update, ...).
 */
export const UPDATE_CLASS: InventoryClassShape = {
  name: 'update',
  description:
    'Software updates installed, required or unknown on the device (state, hold, severity, cve, ...)',
  multiInstance: true,
  properties: {
    id: 'string',
    package: 'string',
    version: 'version',
    classification: 'string',
    source: 'string',
    superseded: 'boolean',
    state: 'string',
    hold: 'string',
    basis: 'string',
    severity: 'string',
    severityLevel: 'number',
    cve: 'string',
    installedAt: 'datetime',
    firstDetectedAt: 'datetime',
    /** apt (a catalog update) or custom (a custom update, from the device's scan: ADR 0083). */
    kind: 'string',
  },
};

const PSEUDO_CLASSES: readonly InventoryClassShape[] = [DEVICE_CLASS, UPDATE_CLASS];

/** The classes a query may name: the catalog plus `device` and `update` (a catalog entry of those names loses). */
export function queryClasses(catalog: readonly InventoryClassShape[]): InventoryClassShape[] {
  const taken = new Set(PSEUDO_CLASSES.map((c) => c.name));
  return [...PSEUDO_CLASSES, ...catalog.filter((c) => !taken.has(c.name.toLowerCase()))];
}

/** Exact spelling first, then case-insensitive: administrators should not have to remember `totalMb`. */
export function findByName<T>(
  items: readonly T[],
  name: string,
  nameOf: (item: T) => string,
): T | undefined {
  const exact = items.find((i) => nameOf(i) === name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return items.find((i) => nameOf(i).toLowerCase() === lower);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The closest known name to a misspelt one, for "did you mean" hints; undefined when nothing is
 * close enough to be a plausible typo (or a prefix of what was meant).
 */
export function suggestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    const distance = editDistance(lower, cl);
    const limit = Math.max(1, Math.floor(Math.max(lower.length, cl.length) / 3));
    const prefix = lower.length >= 3 && (cl.startsWith(lower) || lower.startsWith(cl));
    const score = prefix ? Math.min(distance, 1) : distance;
    if ((score <= limit || prefix) && (!best || score < best.score)) best = { name: c, score };
  }
  return best?.name;
}
