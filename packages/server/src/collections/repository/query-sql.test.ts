import { describe, expect, it } from 'vitest';
import { likePattern } from './query-sql.js';

describe('likePattern', () => {
  it('keeps \\% and \\_ as escapes and makes other backslashes literal', () => {
    expect(likePattern('50\\%')).toBe('50\\%');
    expect(likePattern('a\\_b%')).toBe('a\\_b%');
    expect(likePattern('C:\\temp')).toBe('C:\\\\temp');
    expect(likePattern('end\\')).toBe('end\\\\');
  });
});
