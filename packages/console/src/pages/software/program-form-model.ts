import { errorField } from '../../components/error-field';
import {
  ProgramOptions,
  pickSettings,
  settingErrors,
  settingsDefaults,
  type PlatformRequirements,
  type Program,
  type ProgramBody,
} from '@steward/protocol';

/** The program form as the user edits it: text and lists, converted to a ProgramBody on save. */
export interface ProgramForm extends ProgramOptions {
  name: string;
  commandLine: string;
  workingDirectory: string;
  successExitCodes: string[];
  rebootExitCodes: string[];
  osFamilies: string[];
  minOsVersion: string;
  architectures: string[];
  minFreeDiskMb: number | '';
  minMemoryMb: number | '';
  dependsOnProgramId: string | null;
  description: string;
}

export type ProgramField = keyof ProgramForm;

export function emptyProgramForm(): ProgramForm {
  return {
    name: '',
    commandLine: '',
    workingDirectory: '.',
    ...settingsDefaults(ProgramOptions),
    successExitCodes: ['0'],
    rebootExitCodes: [],
    osFamilies: [],
    minOsVersion: '',
    architectures: [],
    minFreeDiskMb: '',
    minMemoryMb: '',
    dependsOnProgramId: null,
    description: '',
  };
}

export function programFormOf(p: Program): ProgramForm {
  return {
    name: p.name,
    commandLine: p.commandLine,
    workingDirectory: p.workingDirectory || '.',
    runAs: p.runAs,
    maxRunMinutes: p.maxRunMinutes,
    successExitCodes: p.successExitCodes.map(String),
    rebootExitCodes: p.rebootExitCodes.map(String),
    osFamilies: p.requirements.osFamilies ?? [],
    minOsVersion: p.requirements.minOsVersion ?? '',
    architectures: p.requirements.architectures ?? [],
    minFreeDiskMb: p.requirements.minFreeDiskMb ?? '',
    minMemoryMb: p.requirements.minMemoryMb ?? '',
    dependsOnProgramId: p.dependsOnProgramId,
    description: p.description,
  };
}

function exitCodes(values: string[]): number[] | null {
  const out: number[] = [];
  for (const v of values) {
    const t = v.trim();
    if (!/^\d{1,3}$/.test(t)) return null;
    const n = Number(t);
    if (n > 255) return null;
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

export type ProgramFormResult =
  { ok: true; body: ProgramBody } | { ok: false; errors: Partial<Record<ProgramField, string>> };

/** Checks what the browser can check and builds the request body; the site checks the rest. */
export function programBodyOf(f: ProgramForm): ProgramFormResult {
  const errors: Partial<Record<ProgramField, string>> = {};
  if (f.name.trim() === '') errors.name = 'A name is required';
  if (f.commandLine.trim() === '') errors.commandLine = 'A command line is required';
  const wd = f.workingDirectory.trim() || '.';
  if (wd.startsWith('/') || wd.split('/').includes('..'))
    errors.workingDirectory = 'A path inside the package (no leading / and no ..)';
  Object.assign(errors, settingErrors(ProgramOptions, pickSettings(ProgramOptions, f)));
  const success = exitCodes(f.successExitCodes);
  if (success === null) errors.successExitCodes = 'Whole numbers from 0 to 255';
  else if (success.length === 0) errors.successExitCodes = 'At least one success code';
  const reboot = exitCodes(f.rebootExitCodes);
  if (reboot === null) errors.rebootExitCodes = 'Whole numbers from 0 to 255';
  if (success && reboot && reboot.some((c) => success.includes(c)))
    errors.rebootExitCodes = 'A code cannot mean both plain success and reboot';
  if (Object.keys(errors).length > 0 || success === null || reboot === null)
    return { ok: false, errors };

  const requirements: PlatformRequirements = {};
  if (f.osFamilies.length > 0) requirements.osFamilies = f.osFamilies.map((s) => s.trim());
  if (f.minOsVersion.trim()) requirements.minOsVersion = f.minOsVersion.trim();
  if (f.architectures.length > 0) requirements.architectures = f.architectures.map((s) => s.trim());
  if (f.minFreeDiskMb !== '') requirements.minFreeDiskMb = f.minFreeDiskMb;
  if (f.minMemoryMb !== '') requirements.minMemoryMb = f.minMemoryMb;
  return {
    ok: true,
    body: {
      name: f.name.trim(),
      commandLine: f.commandLine,
      workingDirectory: wd,
      runAs: f.runAs,
      maxRunMinutes: f.maxRunMinutes,
      successExitCodes: success,
      rebootExitCodes: reboot,
      requirements,
      dependsOnProgramId: f.dependsOnProgramId,
      description: f.description.trim(),
    },
  };
}

const FIELDS: readonly ProgramField[] = [
  'name',
  'commandLine',
  'workingDirectory',
  'runAs',
  'maxRunMinutes',
  'successExitCodes',
  'rebootExitCodes',
  'dependsOnProgramId',
  'description',
];

/** Which field a site error belongs to, from its code or the field its details name. */
export function programFieldOfError(code: string, details: unknown): ProgramField | null {
  if (code.includes('DEPENDENCY') || code.includes('CYCLE')) return 'dependsOnProgramId';
  if (code.includes('WORKING_DIRECTORY')) return 'workingDirectory';
  if (code.includes('NAME')) return 'name';
  const field = errorField(details);
  if (field === 'requirements') return 'osFamilies';
  return FIELDS.find((f) => f === field) ?? null;
}
