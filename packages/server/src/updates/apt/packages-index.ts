import type { Paragraph } from './deb822.js';

/** A binary package as a Packages index lists it. */
export interface IndexedBinary {
  package: string;
  version: string;
  architecture: string;
  /** The source package it was built from (the Source field, else the package's own name). */
  source: string;
  /** The source version (in parentheses in the Source field when it differs, else `version`). */
  sourceVersion: string;
  filename: string | undefined;
  size: number | undefined;
  sha256: string | undefined;
  section: string | undefined;
  priority: string | undefined;
}

export class IndexEntryError extends Error {}

const NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** One paragraph of a Packages index; refuses a paragraph without a valid name or version. */
export function binaryFromParagraph(p: Paragraph): IndexedBinary {
  const name = p.get('package') ?? '';
  const version = p.get('version') ?? '';
  const architecture = p.get('architecture') ?? '';
  if (!NAME.test(name)) throw new IndexEntryError(`bad package name "${name}"`);
  if (version === '' || /\s/.test(version))
    throw new IndexEntryError(`package ${name} has a bad version "${version}"`);
  if (architecture === '') throw new IndexEntryError(`package ${name} has no Architecture`);
  const sourceField = (p.get('source') ?? '').trim();
  const m = /^(\S+)(?:\s+\(([^)\s]+)\))?$/.exec(sourceField);
  const source = sourceField === '' ? name : (m?.[1] ?? name);
  const sourceVersion = m?.[2] ?? version;
  if (!NAME.test(source)) throw new IndexEntryError(`package ${name} has a bad Source "${source}"`);
  const sizeText = p.get('size');
  const sha256 = p.get('sha256');
  return {
    package: name,
    version,
    architecture,
    source,
    sourceVersion,
    filename: p.get('filename'),
    size: sizeText !== undefined && /^\d+$/.test(sizeText) ? Number(sizeText) : undefined,
    sha256: sha256 !== undefined && /^[0-9a-f]{64}$/.test(sha256) ? sha256 : undefined,
    section: p.get('section'),
    priority: p.get('priority'),
  };
}
