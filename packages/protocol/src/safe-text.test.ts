import { describe, expect, it } from 'vitest';
import { findUnsafeText, isUnsafeText, toSafeText, withSafeText } from './safe-text.js';

describe('safe text', () => {
  it('finds NULs and lone surrogates, and accepts paired surrogates', () => {
    expect(isUnsafeText('a\u0000b')).toBe(true);
    expect(isUnsafeText('\uD83D')).toBe(true);
    expect(isUnsafeText('x\uDE00')).toBe(true);
    expect(isUnsafeText('\uD83D\uDE00 ok')).toBe(false);
    expect(isUnsafeText('plain')).toBe(false);
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
