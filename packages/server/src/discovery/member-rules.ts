import type { DiscoveredMemberRuleKind } from '@steward/protocol';
import { containsPattern } from '../db/like.js';
import { numberToIpv4, parseRange, parseSubnet } from './targets.js';

/**
 * A discovered-member rule as the repository matches it (ADR 0038): an address-key range for a
 * subnet, a LIKE pattern (lower case, `\` escaping) over the reverse-DNS name or the guessed OS.
 */
export type RuleMatch =
  | { kind: 'subnet'; firstKey: string; lastKey: string; text: string }
  | { kind: 'host-name'; like: string; text: string }
  | { kind: 'os'; like: string; text: string };

export type RuleParse = { ok: true; match: RuleMatch } | { ok: false; error: string };

const key = (n: number) => n.toString(16).padStart(8, '0');

/** `%`, `_` and `\` stand for themselves in the pattern. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Parses a rule's value; the text is what is stored and shown (a subnet normalised). */
export function parseRule(kind: DiscoveredMemberRuleKind, value: string): RuleParse {
  const v = value.trim();
  switch (kind) {
    case 'subnet': {
      const p = v.includes('/') ? parseSubnet(v) : v.includes('-') ? parseRange(v) : undefined;
      if (p === undefined)
        return { ok: false, error: `"${v}" is neither a subnet like 10.1.0.0/24 nor a range` };
      if (!p.ok) return p;
      const text = p.range.text.includes('/')
        ? p.range.text
        : `${numberToIpv4(p.range.first)}-${numberToIpv4(p.range.last)}`;
      return {
        ok: true,
        match: { kind, firstKey: key(p.range.first), lastKey: key(p.range.last), text },
      };
    }
    case 'host-name': {
      if (!/^[A-Za-z0-9.*?_-]+$/.test(v))
        return {
          ok: false,
          error: `"${v}" is not a host-name pattern (letters, digits, . - _, * and ?)`,
        };
      const like = escapeLike(v.toLowerCase()).replace(/\*/g, '%').replace(/\?/g, '_');
      return { ok: true, match: { kind, like, text: v.toLowerCase() } };
    }
    case 'os': {
      if (v === '') return { ok: false, error: 'an OS rule needs the words the guess contains' };
      return { ok: true, match: { kind, like: containsPattern(v), text: v } };
    }
  }
}
