import { describe, expect, it } from 'vitest';
import { scanReportSql } from './sql-parameters.js';

describe('scanReportSql', () => {
  it('finds parameters and replaces each name with one placeholder', () => {
    const seen: string[] = [];
    const s = scanReportSql(
      'select * from v_device where device_name = :name or device_id = :name and x > :days',
      (n) => {
        if (!seen.includes(n)) seen.push(n);
        return `$${String(seen.indexOf(n) + 1)}`;
      },
    );
    expect(s.names).toEqual(['name', 'days']);
    expect(s.sql).toBe(
      'select * from v_device where device_name = $1 or device_id = $1 and x > $2',
    );
    expect(s.firstWord).toBe('select');
  });

  it('ignores colons in strings, quoted names, comments, dollar quotes and casts', () => {
    const s = scanReportSql(
      `-- :a\nselect ':b', "c:d", x::text, $q$ :e $q$ /* :f; */ from v_device where y = :g`,
    );
    expect(s.names).toEqual(['g']);
    expect(s.firstWord).toBe('select');
    expect(s.severalStatements).toBe(false);
  });

  it('sees a second statement but not a trailing semicolon or one in a string', () => {
    expect(scanReportSql('select 1; -- done\n').severalStatements).toBe(false);
    expect(scanReportSql("select ';delete'").severalStatements).toBe(false);
    expect(scanReportSql('select 1; delete from device').severalStatements).toBe(true);
    expect(scanReportSql('select 1;;select 2').severalStatements).toBe(true);
  });

  it('reads the first keyword after comments', () => {
    expect(scanReportSql('/* x */ WITH a as (select 1) select * from a').firstWord).toBe('with');
    expect(scanReportSql('  -- hi\n insert into x values (1)').firstWord).toBe('insert');
  });
});
