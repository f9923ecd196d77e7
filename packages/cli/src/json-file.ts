import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CliError, errorMessage } from './errors.js';
import type { CliIo } from './io.js';
import { readStdin } from './password.js';

/**
 * Reads a JSON document and checks it against a protocol schema (defaults applied as the site
 * applies them), so mistakes are reported with their JSON path before anything is sent. `-`
 * reads stdin. `what` names the document in the error ("a valid task sequence").
 */
export async function readJsonDocument<T extends TSchema>(
  io: CliIo,
  file: string,
  schema: T,
  what: string,
): Promise<Static<T>> {
  let text: string;
  try {
    text = file === '-' ? await readStdin(io.stdin) : await readFile(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new CliError('FILE_UNREADABLE', `cannot read ${file}: ${errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError('INVALID_JSON', `${file} is not valid JSON: ${errorMessage(err)}`);
  }
  const candidate = Value.Default(schema, Value.Clone(parsed));
  if (Value.Check(schema, candidate)) return candidate;
  const problems = [...Value.Errors(schema, candidate)]
    .slice(0, 8)
    .map((e) => `  ${e.path === '' ? '(root)' : e.path}: ${e.message}`);
  throw new CliError('INVALID_INPUT', `${file} is not ${what}`, 1, `${problems.join('\n')}\n`);
}
