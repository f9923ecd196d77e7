import type { InventoryInstance, PropertyValue } from '@steward/protocol';
import { formatDateTime } from './format';

export function str(instance: InventoryInstance | undefined, key: string): string | null {
  const v = instance?.[key];
  if (v === undefined || v === null) return null;
  return String(v);
}

export function num(instance: InventoryInstance | undefined, key: string): number | null {
  const v = instance?.[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

export function bool(instance: InventoryInstance | undefined, key: string): boolean | null {
  const v = instance?.[key];
  return typeof v === 'boolean' ? v : null;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

export function displayValue(v: PropertyValue | undefined): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (typeof v === 'string' && ISO_TIME.test(v)) return formatDateTime(v);
  return String(v);
}

/** Union of the property names of a list of instances, in first-seen order. */
export function columnsOf(instances: readonly InventoryInstance[]): string[] {
  const seen = new Set<string>();
  for (const instance of instances) for (const key of Object.keys(instance)) seen.add(key);
  return [...seen];
}

/** A one-line label for an instance in history views ("openssh-server 1:9.2p1-2"). */
export function instanceLabel(className: string, instance: InventoryInstance): string {
  const pick = (...keys: string[]) =>
    keys
      .map((k) => instance[k])
      .filter((v) => v !== undefined && v !== null && v !== '')
      .map(String)
      .join(' ');
  switch (className) {
    case 'package':
      return pick('name', 'version', 'arch');
    case 'disk':
      return pick('mountPoint', 'device');
    case 'service':
      return pick('name', 'state');
    case 'softwareFile':
      return pick('path');
    case 'ipAddress':
      return pick('address', 'adapter');
    case 'networkAdapter':
      return pick('name', 'mac');
    case 'session':
      return pick('user', 'terminal');
    default: {
      const label = pick('name');
      if (label) return label;
      return Object.entries(instance)
        .slice(0, 4)
        .map(([k, v]) => `${k}=${displayValue(v)}`)
        .join(', ');
    }
  }
}
