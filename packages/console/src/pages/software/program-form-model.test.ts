import { describe, expect, it } from 'vitest';
import { emptyProgramForm, programBodyOf, programFieldOfError } from './program-form-model';

describe('program form', () => {
  it('builds a body with defaults and only the requirements that were set', () => {
    const r = programBodyOf({
      ...emptyProgramForm(),
      name: ' Install ',
      commandLine: 'sh run.sh',
      successExitCodes: ['0', '1', '0'],
      architectures: ['x86_64'],
      minMemoryMb: 512,
    });
    expect(r).toEqual({
      ok: true,
      body: {
        name: 'Install',
        commandLine: 'sh run.sh',
        workingDirectory: '.',
        runAs: 'root',
        maxRunMinutes: 120,
        successExitCodes: [0, 1],
        rebootExitCodes: [],
        requirements: { architectures: ['x86_64'], minMemoryMb: 512 },
        dependsOnProgramId: null,
        description: '',
      },
    });
  });

  it('refuses bad exit codes, a path outside the package and a code both success and reboot', () => {
    const r = programBodyOf({
      ...emptyProgramForm(),
      name: 'x',
      commandLine: 'true',
      workingDirectory: '../etc',
      successExitCodes: ['0', '256'],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(Object.keys(r.errors).sort()).toEqual(['successExitCodes', 'workingDirectory']);
    }
    const both = programBodyOf({
      ...emptyProgramForm(),
      name: 'x',
      commandLine: 'true',
      rebootExitCodes: ['0'],
    });
    expect(both.ok).toBe(false);
    if (!both.ok) expect(both.errors.rebootExitCodes).toBeDefined();
  });

  it('places site errors next to their field', () => {
    expect(programFieldOfError('PROGRAM_DEPENDENCY_CYCLE', undefined)).toBe('dependsOnProgramId');
    expect(programFieldOfError('PROGRAM_NAME_TAKEN', undefined)).toBe('name');
    expect(
      programFieldOfError('INVALID_INPUT', [
        { path: '/maxRunMinutes', message: 'must be <= 1440' },
      ]),
    ).toBe('maxRunMinutes');
    expect(programFieldOfError('INVALID_WORKING_DIRECTORY', { field: 'workingDirectory' })).toBe(
      'workingDirectory',
    );
    expect(programFieldOfError('INTERNAL', undefined)).toBeNull();
  });
});
