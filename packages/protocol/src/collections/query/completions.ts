import { Type, type Static } from '@sinclair/typebox';
import { type InventoryClassShape, PropertyType } from '../../inventory/schemas.js';
import { findByName, queryClasses } from './catalog.js';
import { type Token, tokenize } from './lexer.js';

export const CompletionItem = Type.Object({
  /** What to insert. */
  label: Type.String(),
  kind: Type.Union([Type.Literal('class'), Type.Literal('property'), Type.Literal('keyword')]),
  /** Property type, or a class's description. */
  detail: Type.String(),
  /** Classes only: true when it must be used through any(class, ...). */
  multiInstance: Type.Optional(Type.Boolean()),
  type: Type.Optional(PropertyType),
});
export type CompletionItem = Static<typeof CompletionItem>;

function classItems(classes: readonly InventoryClassShape[]): CompletionItem[] {
  return classes.map((c) => ({
    label: c.name,
    kind: 'class',
    detail: c.description,
    multiInstance: c.multiInstance,
  }));
}

function propertyItems(cls: InventoryClassShape): CompletionItem[] {
  return Object.entries(cls.properties).map(([label, type]) => ({
    label,
    kind: 'property',
    detail: type,
    type,
  }));
}

function keywordItems(words: readonly string[]): CompletionItem[] {
  return words.map((label) => ({ label, kind: 'keyword', detail: 'keyword' }));
}

/**
 * Names the console's editor offers: with no class, every class a query may name (including
 * `device`); with a class, its properties and their types. An unknown class has none.
 */
export function listCompletions(
  catalog: readonly InventoryClassShape[],
  className?: string,
): CompletionItem[] {
  const classes = queryClasses(catalog);
  if (className === undefined || className === '') return classItems(classes);
  const cls = findByName(classes, className, (c) => c.name);
  return cls ? propertyItems(cls) : [];
}

export interface CompletionsAt {
  /** The range of text the chosen item replaces (the partly typed word). */
  from: number;
  to: number;
  items: CompletionItem[];
}

/** The class of the innermost any(...) around the end of `tokens`, if any. */
function enclosingAnyClass(tokens: readonly Token[]): string | undefined {
  const stack: (string | undefined)[] = [];
  tokens.forEach((t, i) => {
    if (t.kind === '(') {
      const before = tokens[i - 1];
      const after = tokens[i + 1];
      const isAny = before?.kind === 'word' && before.text.toLowerCase() === 'any';
      stack.push(isAny && after?.kind === 'word' ? after.text : undefined);
    } else if (t.kind === ')') {
      stack.pop();
    }
  });
  return stack.filter((c) => c !== undefined).pop();
}

const AFTER_PROPERTY = ['like', 'not like', 'in', 'not in', 'is null', 'is not null'];
const AFTER_VALUE = ['and', 'or'];
const START = ['not', 'any'];

function filterByPrefix(items: CompletionItem[], prefix: string): CompletionItem[] {
  const p = prefix.toLowerCase();
  return items.filter((i) => i.label.toLowerCase().startsWith(p));
}

/**
 * Completions at a cursor position in a query being typed: properties after `class.`, classes
 * after `any(`, the enclosing any()'s properties and every class at the start of a condition,
 * operators after a property, and/or after a value. Tolerates unfinished text.
 */
export function completionsAt(
  text: string,
  offset: number,
  catalog: readonly InventoryClassShape[],
): CompletionsAt {
  const cursor = Math.max(0, Math.min(offset, text.length));
  let from = cursor;
  while (from > 0 && /[A-Za-z0-9_]/.test(text[from - 1] ?? '')) from--;
  const prefix = text.slice(from, cursor);
  let tokens: Token[];
  try {
    tokens = tokenize(text.slice(0, from)).filter((t) => t.kind !== 'eof');
  } catch {
    return { from, to: cursor, items: [] };
  }
  const classes = queryClasses(catalog);
  const last = tokens[tokens.length - 1];
  const beforeLast = tokens[tokens.length - 2];
  const result = (items: CompletionItem[]): CompletionsAt => ({
    from,
    to: cursor,
    items: filterByPrefix(items, prefix),
  });

  if (last?.kind === '.' && beforeLast?.kind === 'word') {
    const cls = findByName(classes, beforeLast.text, (c) => c.name);
    return result(cls ? propertyItems(cls) : []);
  }
  if (
    last?.kind === '(' &&
    beforeLast?.kind === 'word' &&
    beforeLast.text.toLowerCase() === 'any'
  ) {
    return result(classItems(classes.filter((c) => c.name !== 'device')));
  }
  const lastWord = last?.kind === 'word' ? last.text.toLowerCase() : '';
  const atConditionStart =
    last === undefined ||
    last.kind === '(' ||
    last.kind === ',' ||
    ['and', 'or', 'not'].includes(lastWord);
  if (atConditionStart) {
    const anyClass = enclosingAnyClass(tokens);
    const within =
      anyClass === undefined ? undefined : findByName(classes, anyClass, (c) => c.name);
    return result([
      ...(within ? propertyItems(within) : []),
      ...classItems(classes),
      ...keywordItems(START),
    ]);
  }
  if (
    last.kind === 'string' ||
    last.kind === 'number' ||
    last.kind === ')' ||
    ['true', 'false', 'null'].includes(lastWord)
  ) {
    return result(keywordItems(AFTER_VALUE));
  }
  if (last.kind === 'word') return result(keywordItems(AFTER_PROPERTY));
  return result([]);
}
