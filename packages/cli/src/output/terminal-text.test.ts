import { describe, expect, it } from 'vitest';
import { createStyle } from './style.js';
import { terminalJson, toTerminal } from './terminal-text.js';

const color = createStyle(true);

describe('toTerminal', () => {
  it('shows control characters from the site as pictures, keeping tab and newline', () => {
    expect(toTerminal('a\u001b[2Jb\u001b]0;owned\u0007c\r\td\n')).toBe(
      'a\u241b[2Jb\u241b]0;owned\u2407c\u240d\td\n',
    );
    expect(toTerminal('x\u007fy\u009bz')).toBe('x\u2421y\ufffdz');
  });

  it('neutralises bidi overrides and isolates', () => {
    expect(toTerminal('a\u202eb\u2066c\u2069')).toBe('a\ufffdb\ufffdc\ufffd');
  });

  it("keeps the CLI's own colours, which site text cannot forge", () => {
    const out = toTerminal(`${color.red('error')} \u001b[31mfake`);
    expect(out).toBe('\u001b[31merror\u001b[39m \u241b[31mfake');
  });
});

describe('terminalJson', () => {
  it('is the same JSON value with C1, DEL and bidi characters escaped', () => {
    const value = { name: 'a\u001b\u009b\u007f\u202e\u2028b', n: 1 };
    const text = terminalJson(value, 2);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/[\u001b\u007f-\u009f\u202a-\u202e\u2028]/);
    expect(text).toContain('\\u009b');
  });
});
