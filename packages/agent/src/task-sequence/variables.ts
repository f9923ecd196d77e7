import { BUILT_IN_VARIABLE_PREFIX } from '@steward/protocol';

/**
 * Task-sequence variables (ADR 0069). `%NAME%` in a step's text is replaced by the variable's
 * value, as Configuration Manager's engine does; `%%` is a literal percent sign, and a name that
 * is not set is left as written (so a shell's own `%` survives, and a typo shows in the output
 * rather than vanishing).
 */
export function expandVariables(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/%%|%([A-Za-z_][A-Za-z0-9_]*)%/g, (match, name?: string) => {
    if (name === undefined) return '%';
    return Object.hasOwn(vars, name) ? (vars[name] ?? '') : match;
  });
}

/** True for the engine's own variables, which a step may read but never set. */
export function isBuiltInVariable(name: string): boolean {
  return name.startsWith(BUILT_IN_VARIABLE_PREFIX);
}

/**
 * Precedence of variables, lowest first: the sequence's defaults, then each collection's (in
 * the order given), then the device's own. A later layer wins name by name.
 */
export function layerVariables(
  ...layers: readonly Readonly<Record<string, string>>[]
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer)) {
      if (!isBuiltInVariable(name)) out[name] = value;
    }
  }
  return out;
}
