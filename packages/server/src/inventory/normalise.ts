import type {
  InventoryClassShape,
  InventoryInstance,
  PropertyType,
  PropertyValue,
} from '@steward/protocol';

function coerce(value: PropertyValue, type: PropertyType): PropertyValue {
  if (value === null) return null;
  switch (type) {
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : null;
      if (typeof value === 'boolean') return value ? 1 : 0;
      const t = value.trim();
      if (t === '') return null;
      const n = Number(t);
      return Number.isFinite(n) ? n : null;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value !== 0;
      const t = value.trim().toLowerCase();
      if (['true', 'yes', '1', 'on', 'enabled'].includes(t)) return true;
      if (['false', 'no', '0', 'off', 'disabled'].includes(t)) return false;
      return null;
    }
    case 'datetime': {
      const d = new Date(typeof value === 'boolean' ? NaN : value);
      return Number.isNaN(d.getTime()) ? null : d.toISOString();
    }
    case 'string':
    case 'version': {
      const s = String(value);
      return s === '' ? null : s;
    }
  }
}

/**
 * Brings reported values to the types the class catalog declares, so that queries compare
 * numbers as numbers whatever an agent (or a custom command) printed: "24106" becomes 24106,
 * "" becomes null, "yes" becomes true. Unknown properties and classes are kept as reported.
 */
export function normaliseInstances(
  shape: InventoryClassShape | undefined,
  instances: readonly InventoryInstance[],
): InventoryInstance[] {
  if (!shape) return [...instances];
  return instances.map((inst) => {
    const out: InventoryInstance = {};
    for (const [k, v] of Object.entries(inst)) {
      const type = shape.properties[k];
      out[k] = type ? coerce(v, type) : v;
    }
    return out;
  });
}
