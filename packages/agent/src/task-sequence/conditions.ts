import type { ConditionNode } from '@steward/protocol';
import { expandVariables } from './variables.js';

/** Facts about the machine a condition may test, by source; a fact may hold several values. */
export interface Facts {
  inventory: Readonly<Record<string, string | readonly string[]>>;
  hardware: Readonly<Record<string, string | readonly string[]>>;
}

export const NO_FACTS: Facts = { inventory: {}, hardware: {} };

/** A shell-style glob (`*`, `?`) matched against the whole text, case-sensitively. */
export function globMatches(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) =>
    c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`,
  );
  return new RegExp(`^${re}$`, 's').test(text);
}

/** Compares as numbers when both are numbers, else as dotted versions (`12.4` >= `12.10` is false). */
function atLeast(actual: string, wanted: string): boolean {
  const a = actual.split('.').map(Number);
  const w = wanted.split('.').map(Number);
  if (a.some(Number.isNaN) || w.some(Number.isNaN)) return actual >= wanted;
  for (let i = 0; i < Math.max(a.length, w.length); i++) {
    const x = a[i] ?? 0;
    const y = w[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

function testValues(
  values: readonly string[] | undefined,
  op: 'equals' | 'not-equals' | 'exists' | 'matches' | 'at-least',
  wanted: string,
): boolean {
  switch (op) {
    case 'exists':
      return values !== undefined;
    case 'equals':
      return values?.includes(wanted) ?? false;
    case 'not-equals':
      return !(values?.includes(wanted) ?? false);
    case 'matches':
      return values?.some((v) => globMatches(wanted, v)) ?? false;
    case 'at-least':
      return values?.some((v) => atLeast(v, wanted)) ?? false;
  }
}

/**
 * Evaluates a step's or group's condition. Values in a condition are expanded first, so
 * `%OSDComputerName%` can be compared with a fact. An unknown fact is "not set": `exists` is
 * false, `not-equals` true. A block is true when all, any or none of its tests are.
 */
export function evaluateCondition(
  condition: ConditionNode,
  vars: Readonly<Record<string, string>>,
  facts: Facts,
): boolean {
  switch (condition.type) {
    case 'block': {
      const test = (c: ConditionNode) => evaluateCondition(c, vars, facts);
      if (condition.match === 'all') return condition.tests.every(test);
      const any = condition.tests.some(test);
      return condition.match === 'any' ? any : !any;
    }
    case 'variable': {
      const value = Object.hasOwn(vars, condition.name) ? vars[condition.name] : undefined;
      const wanted = expandVariables(condition.value ?? '', vars);
      return testValues(value === undefined ? undefined : [value], condition.op, wanted);
    }
    case 'fact': {
      const source = facts[condition.source];
      const raw = Object.hasOwn(source, condition.name) ? source[condition.name] : undefined;
      const values = raw === undefined ? undefined : typeof raw === 'string' ? [raw] : raw;
      return testValues(values, condition.op, expandVariables(condition.value ?? '', vars));
    }
  }
}
