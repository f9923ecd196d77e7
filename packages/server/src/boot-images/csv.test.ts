import { describe, expect, it } from 'vitest';
import { AppError } from '@steward/protocol';
import { normaliseMac, normaliseUuid, parseComputersCsv } from './csv.js';

describe('imported computers CSV', () => {
  it('reads name, mac and smbiosUuid in any order and case, other columns as variables', () => {
    const rows = parseComputersCsv(
      '\uFEFFSMBIOSUUID,Name,MAC,ROLE,NOTE\r\n' +
        ',web-01,52:54:00:00:00:01,web,"a ""quoted"", text"\r\n' +
        '5b0c2a6e-1f1d-4c3a-9b7e-0a1b2c3d4e5f,db-01,,db,\r\n\r\n',
    );
    expect(rows).toEqual([
      {
        name: 'web-01',
        mac: '52:54:00:00:00:01',
        variables: { ROLE: 'web', NOTE: 'a "quoted", text' },
      },
      {
        name: 'db-01',
        smbiosUuid: '5b0c2a6e-1f1d-4c3a-9b7e-0a1b2c3d4e5f',
        variables: { ROLE: 'db' },
      },
    ]);
  });

  it.each([
    ['', 'empty'],
    ['mac\n52:54:00:00:00:01', 'name'],
    ['name,ROLE\nx,web', '"mac" or "smbiosUuid"'],
    ['name,mac\nx', '1 fields'],
    ['name,mac\n"x,52:54:00:00:00:01', 'not closed'],
  ])('refuses %j naming the problem and the line', (csv, problem) => {
    let caught: unknown;
    try {
      parseComputersCsv(csv);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: 'IMPORTED_COMPUTER_CSV_INVALID' });
    expect(String((caught as Error).message)).toContain(problem);
  });

  it('normalises MACs and drops placeholder SMBIOS UUIDs', () => {
    expect(normaliseMac('52-54-00-AB-CD-EF')).toBe('52:54:00:ab:cd:ef');
    expect(normaliseUuid('5B0C2A6E-1F1D-4C3A-9B7E-0A1B2C3D4E5F')).toBe(
      '5b0c2a6e-1f1d-4c3a-9b7e-0a1b2c3d4e5f',
    );
    expect(normaliseUuid('00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(normaliseUuid('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF')).toBeNull();
    expect(normaliseUuid(undefined)).toBeNull();
  });
});
