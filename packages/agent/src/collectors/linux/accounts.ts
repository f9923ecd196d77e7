import type { InventoryInstance } from '@steward/protocol';
import { readText } from '../system.js';
import type { ClassCollector, CollectContext } from '../types.js';
import { rootOf, under } from './sysfs.js';

export interface IdRange {
  min: number;
  max: number;
}

/** UID_MIN/UID_MAX and GID_MIN/GID_MAX from /etc/login.defs (shadow-utils' defaults otherwise). */
export function parseLoginDefs(text: string): { uid: IdRange; gid: IdRange } {
  const get = (key: string, fallback: number): number => {
    const m = new RegExp(`^\\s*${key}\\s+(\\d+)`, 'm').exec(text);
    return m?.[1] === undefined ? fallback : Number(m[1]);
  };
  return {
    uid: { min: get('UID_MIN', 1000), max: get('UID_MAX', 60000) },
    gid: { min: get('GID_MIN', 1000), max: get('GID_MAX', 60000) },
  };
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const NOLOGIN = /(^|\/)(nologin|false|sync|halt|shutdown)$/;

/** `name:x:uid:gid:gecos:home:shell`; NIS `+`/`-` lines and malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || f[0] === undefined || f[0] === '' || /^[+-]/.test(f[0])) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid) || f[2] === '' || f[3] === '') continue;
    out.push({ name: f[0], uid, gid, gecos: f[4] ?? '', home: f[5] ?? '', shell: f[6] ?? '' });
  }
  return out;
}

/** `name:x:gid:member,member`. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || f[0] === undefined || f[0] === '' || /^[+-]/.test(f[0])) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid) || f[2] === '') continue;
    const members = (f[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m !== '');
    out.push({ name: f[0], gid, members });
  }
  return out;
}

/**
 * A human account has a uid in the login.defs range and a login shell; everything else (root,
 * daemons, nobody at 65534) is a system account.
 */
export function isSystemUser(entry: PasswdEntry, range: IdRange): boolean {
  const inRange = entry.uid >= range.min && entry.uid <= range.max;
  return !inRange || NOLOGIN.test(entry.shell);
}

async function readAccounts(ctx: CollectContext) {
  const root = rootOf(ctx);
  const defs = parseLoginDefs((await readText(under(root, '/etc/login.defs'))) ?? '');
  const passwd = await readText(under(root, '/etc/passwd'));
  const group = await readText(under(root, '/etc/group'));
  return { defs, passwd, group };
}

export const localUserCollector: ClassCollector = {
  className: 'localUser',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    const { defs, passwd, group } = await readAccounts(ctx);
    // Without /etc/passwd there is no answer at all: fail, so the site keeps what it had.
    if (passwd === undefined) throw new Error('/etc/passwd is not readable');
    const groupNames = new Map(parseGroup(group ?? '').map((g) => [g.gid, g.name]));
    return parsePasswd(passwd).map((u) => ({
      name: u.name,
      uid: u.uid,
      gid: u.gid,
      primaryGroup: groupNames.get(u.gid) ?? null,
      fullName: u.gecos.split(',')[0]?.trim() || null,
      home: u.home || null,
      shell: u.shell || null,
      system: isSystemUser(u, defs.uid),
    }));
  },
};

export const localGroupCollector: ClassCollector = {
  className: 'localGroup',
  async collect(ctx: CollectContext): Promise<InventoryInstance[]> {
    const { defs, group } = await readAccounts(ctx);
    if (group === undefined) throw new Error('/etc/group is not readable');
    return parseGroup(group).map((g) => ({
      name: g.name,
      gid: g.gid,
      members: g.members.join(','),
      memberCount: g.members.length,
      system: g.gid < defs.gid.min || g.gid > defs.gid.max,
    }));
  },
};
