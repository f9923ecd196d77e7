import { describe, expect, it } from 'vitest';
import { createStyle, visibleWidth } from './style.js';
import { renderFields, renderTable } from './table.js';

const plain = createStyle(false);
const color = createStyle(true);

describe('renderTable', () => {
  it('aligns columns with two spaces, right-aligns numbers, trims line ends', () => {
    const out = renderTable(
      [{ header: 'NAME' }, { header: 'MEMORY', align: 'right' }, { header: 'OS' }],
      [
        ['web-01', '16 GB', 'Debian 12'],
        ['db', '512 MB', ''],
      ],
      { style: plain },
    );
    expect(out).toBe(
      ['NAME    MEMORY  OS', 'web-01   16 GB  Debian 12', 'db      512 MB'].join('\n') + '\n',
    );
  });

  it('measures coloured cells by their visible width', () => {
    const out = renderTable(
      [{ header: 'STATE' }, { header: 'N' }],
      [[color.green('online'), '1']],
      { style: plain },
    );
    const [, row] = out.split('\n');
    expect(row).toBe(`${color.green('online')}  1`);
    expect(visibleWidth(row ?? '')).toBe(9);
  });

  it('shrinks the flexible column to fit the terminal width', () => {
    const text = 'x'.repeat(80);
    const out = renderTable([{ header: 'ID' }, { header: 'TEXT', flex: true }], [['1', text]], {
      style: plain,
      width: 40,
    });
    for (const line of out.trimEnd().split('\n'))
      expect(visibleWidth(line)).toBeLessThanOrEqual(40);
    expect(out).toContain('…');
  });

  it('keeps newlines in cells from breaking rows', () => {
    const out = renderTable([{ header: 'A' }], [['one\ntwo']], { style: plain });
    expect(out).toBe('A\none two\n');
  });
});

describe('renderFields', () => {
  it('aligns values after the labels', () => {
    expect(
      renderFields(
        [
          ['Id', '1'],
          ['Last contact', 'never'],
        ],
        plain,
      ),
    ).toBe('Id:            1\nLast contact:  never\n');
  });
});
