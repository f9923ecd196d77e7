import type {
  CustomClassDefinition,
  CustomClassProperty,
  CustomClassSource,
  PropertyType,
} from '@steward/protocol';

export const TYPES: PropertyType[] = ['string', 'number', 'boolean', 'version', 'datetime'];
export type Kind = CustomClassSource['kind'];
export type FileFormat = 'keyvalue' | 'ini' | 'json';
export type CommandFormat = 'regex' | 'json' | 'keyvalue';

export interface Draft {
  name: string;
  description: string;
  multiInstance: boolean;
  kind: Kind;
  path: string;
  fileFormat: FileFormat;
  command: string;
  commandFormat: CommandFormat;
  pattern: string;
  timeoutSeconds: number;
  instancesPath: string;
  properties: CustomClassProperty[];
}

export function draftOf(def: CustomClassDefinition | undefined): Draft {
  const d: Draft = {
    name: def?.name ?? '',
    description: def?.description ?? '',
    multiInstance: def?.multiInstance ?? false,
    kind: def?.source.kind ?? 'file',
    path: '',
    fileFormat: 'keyvalue',
    command: '',
    commandFormat: 'regex',
    pattern: '',
    timeoutSeconds: 30,
    instancesPath: '',
    properties: def?.properties ?? [{ name: '', type: 'string', from: '' }],
  };
  const s = def?.source;
  if (s?.kind === 'file')
    Object.assign(d, { path: s.path, fileFormat: s.format, instancesPath: s.instancesPath ?? '' });
  if (s?.kind === 'command') {
    Object.assign(d, {
      command: s.command,
      commandFormat: s.format,
      pattern: s.pattern ?? '',
      timeoutSeconds: s.timeoutSeconds ?? 30,
      instancesPath: s.instancesPath ?? '',
    });
  }
  return d;
}

export function sourceOf(d: Draft): CustomClassSource {
  switch (d.kind) {
    case 'file':
      return {
        kind: 'file',
        path: d.path,
        format: d.fileFormat,
        ...(d.fileFormat === 'json' && d.instancesPath ? { instancesPath: d.instancesPath } : {}),
      };
    case 'command':
      return {
        kind: 'command',
        command: d.command,
        format: d.commandFormat,
        timeoutSeconds: d.timeoutSeconds,
        ...(d.commandFormat === 'regex' && d.pattern ? { pattern: d.pattern } : {}),
        ...(d.commandFormat === 'json' && d.instancesPath
          ? { instancesPath: d.instancesPath }
          : {}),
      };
    case 'kernel':
      return { kind: 'kernel' };
  }
}

export const FROM_HINT: Record<Kind, string> = {
  file: 'KEY for key=value files, section.key for ini, a dotted path for JSON',
  command: 'a named capture group for regex, a key or dotted path otherwise',
  kernel: 'an absolute path under /proc or /sys',
};
