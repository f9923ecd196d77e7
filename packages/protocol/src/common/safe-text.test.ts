import { describe, expect, it } from 'vitest';
import {
  findUnsafeText,
  hasUnsafeText,
  isUnsafeText,
  jsonTextMayHoldUnsafeText,
  toSafeText,
  withSafeText,
} from './safe-text.js';

describe('safe text', () => {
  it('finds NULs and lone surrogates, and accepts paired surrogates', () => {
    expect(isUnsafeText('a\u0000b')).toBe(true);
    expect(isUnsafeText('\uD83D')).toBe(true);
    expect(isUnsafeText('x\uDE00')).toBe(true);
    expect(isUnsafeText('\uD83D\uDE00 ok')).toBe(false);
    expect(isUnsafeText('plain')).toBe(false);
  });

  it('leaves clean values as they are (no copy) and copies only what needs cleaning', () => {
    const clean = { a: ['x', { b: 'emoji \uD83D\uDE00' }], n: 1 };
    expect(hasUnsafeText(clean)).toBe(false);
    expect(withSafeText(clean)).toBe(clean);
    const dirty = { a: ['x', { b: 'y\uDC00' }] };
    expect(hasUnsafeText(dirty)).toBe(true);
    expect(hasUnsafeText({ ['k\u0000']: 1 })).toBe(true);
    expect(withSafeText(dirty)).toEqual({ a: ['x', { b: 'y\uFFFD' }] });
    expect(dirty.a[1]).toEqual({ b: 'y\uDC00' });
  });

  it('tells from JSON text alone when its parsed value cannot hold unsafe text', () => {
    const cases = [
      '{"a":"x"}',
      '{"a":"\\u0000"}',
      '{"a":"\\uD800"}',
      '{"a":"\\udc00"}',
      '{"\\u0000":1}',
      '{"a":"\\uD83D\\uDE00"}',
      '{"a":"\\u00e9\\u4e2d"}',
      '["\\\\u0000"]',
    ];
    for (const json of cases) {
      // Never "cannot" when the value holds unsafe text (the converse may be a false alarm).
      if (!jsonTextMayHoldUnsafeText(json)) expect(hasUnsafeText(JSON.parse(json))).toBe(false);
    }
    // Whatever a JSON encoder writes for a value holding unsafe text is flagged.
    const alphabet = [
      'a',
      '\u0000',
      '\uD800',
      '\uDBFF',
      '\uDC00',
      '\uDFFF',
      '\uD83D\uDE00',
      '\\',
      'u',
    ];
    for (let i = 0; i < 500; i++) {
      let text = '';
      for (let j = 0; j < 6; j++)
        text += alphabet[(i * 7 + j * 13 + ((i >> j) & 3)) % alphabet.length];
      const value = { [text]: [text] };
      if (hasUnsafeText(value)) expect(jsonTextMayHoldUnsafeText(JSON.stringify(value))).toBe(true);
    }
    expect(jsonTextMayHoldUnsafeText('{"a":"x","b":"\\u00e9"}')).toBe(false);
    expect(jsonTextMayHoldUnsafeText('{"a":"\\u0000"}')).toBe(true);
    expect(jsonTextMayHoldUnsafeText('{"a":"\\udBff"}')).toBe(true);
  });

  it('cleans: NUL removed, lone surrogate replaced', () => {
    expect(toSafeText('a\u0000b\uD800c\uD83D\uDE00')).toBe('ab\uFFFDc\uD83D\uDE00');
  });

  it('names the path of the first unsafe string, keys included', () => {
    expect(findUnsafeText({ a: [1, 'ok', { b: 'x\u0000' }] })).toBe('/a/2/b');
    expect(findUnsafeText({ ['k\u0000']: 1 })).toBe('/k');
    expect(findUnsafeText({ a: ['ok'] })).toBeUndefined();
    expect(withSafeText({ ['k\u0000']: ['v\uDC00'] })).toEqual({ k: ['v\uFFFD'] });
  });

  it('walks parsed JSON only: a Buffer or an object with circular internals is not text', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    class Stream {
      state = circular;
    }
    expect(findUnsafeText({ body: Buffer.from('a\u0000b') })).toBeUndefined();
    expect(findUnsafeText(new Stream())).toBeUndefined();
    // The query-string parser's objects: a constructor whose prototype is Object.create(null).
    function EmptyObject(this: object): void {}
    EmptyObject.prototype = Object.create(null) as object;
    const query = new (EmptyObject as unknown as new () => Record<string, string>)();
    query.search = 'a\u0000';
    expect(findUnsafeText(query)).toBe('/search');
    expect(findUnsafeText(Object.assign(Object.create(null) as object, { k: '\uD800' }))).toBe(
      '/k',
    );
  });
});
