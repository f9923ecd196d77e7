import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  catalogEntry,
  insertionStrings,
  renderStatusMessage,
  STATUS_CATALOG,
  type StatusMessageDefinition,
  StatusMessages,
} from './catalog.js';

const entries: [string, StatusMessageDefinition][] = Object.entries(StatusMessages);

/** The %n insertion points a text uses. */
function points(text: string): number[] {
  return [...text.matchAll(/%(10|[1-9])/g)].map((m) => Number(m[1]));
}

describe('status message catalog', () => {
  it('gives every message a unique id and a unique name', () => {
    const ids = entries.map(([, e]) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(STATUS_CATALOG.map((e) => e.id)).toEqual(ids);
  });

  it('keeps the seed ids', () => {
    const seed = [2330, 2342, 3531, 3532, 3533, 10002, 10005, 10006, 10008, 10009];
    // Seed 004, table 3, in its order.
    seed.push(11250, 11251, 11256, 11257, 11258, 11259, 11252, 11253, 11254);
    seed.push(11270, 11266, 11267, 11268, 11261, 11262, 11263, 11264, 11265);
    for (const id of seed) expect(catalogEntry(id), `seed id ${id}`).toBeDefined();
  });

  it('numbers the update messages as seed table 3 does', () => {
    const byName = (name: string) => entries.find(([n]) => n === name)?.[1].id;
    expect({
      expiryLimit: byName('UPDATE_NO_WINDOW_EXPIRED'),
      installRescheduled: byName('UPDATE_RESCHEDULED_BY_USER'),
      installPostponed: byName('UPDATE_POSTPONED_BY_USER'),
      installAutoPostponed: byName('UPDATE_POSTPONED_AUTOMATICALLY'),
      restartRequired: byName('UPDATE_INSTALLED_RESTART_REQUIRED'),
      suppressedWorkstation: byName('UPDATE_INSTALLED_RESTART_SUPPRESSED_WORKSTATION'),
      suppressedServer: byName('UPDATE_INSTALLED_RESTART_SUPPRESSED_SERVER'),
      noRestart: byName('UPDATE_INSTALLED_NO_RESTART'),
      restartRescheduled: byName('UPDATE_RESTART_RESCHEDULED'),
      restartPostponed: byName('UPDATE_RESTART_POSTPONED_BY_USER'),
      restartAutoPostponed: byName('UPDATE_RESTART_POSTPONED_AUTOMATICALLY'),
      mandatoryRestart: byName('UPDATE_MANDATORY_RESTART_PENDING'),
      forcedMandatoryRestart: byName('UPDATE_MANDATORY_RESTART_FORCED'),
    }).toEqual({
      expiryLimit: 11256,
      installRescheduled: 11252,
      installPostponed: 11253,
      installAutoPostponed: 11254,
      restartRequired: 11270,
      suppressedWorkstation: 11266,
      suppressedServer: 11267,
      noRestart: 11268,
      restartRescheduled: 11261,
      restartPostponed: 11262,
      restartAutoPostponed: 11263,
      mandatoryRestart: 11264,
      forcedMandatoryRestart: 11265,
    });
  });

  it("puts Steward's own ids in the agent and site-server ranges", () => {
    for (const [name, e] of entries) {
      if (e.id < 40000) continue;
      // Agent 40000-49999, site server 50000-59999, in blocks handed out per capability.
      const range = e.id < 50000 ? [40000, 49999] : [50000, 59999];
      expect(e.id, name).toBeGreaterThanOrEqual(range[0] ?? 0);
      expect(e.id, name).toBeLessThanOrEqual(range[1] ?? 0);
    }
  });

  it('declares a distinct name for every insertion point a text uses, at most 10', () => {
    for (const [name, e] of entries) {
      const used = points(e.text);
      const highest = Math.max(0, ...used);
      expect(e.insertions.length, name).toBeLessThanOrEqual(10);
      expect(new Set(e.insertions).size, `${name}: insertion names repeat`).toBe(
        e.insertions.length,
      );
      // Every %n points at a declared insertion, and none is skipped below the highest.
      expect(highest, `${name}: %${highest} is not declared`).toBeLessThanOrEqual(
        e.insertions.length,
      );
      for (let n = 1; n <= highest; n++) expect(used, `${name}: %${n} unused`).toContain(n);
      // A declared insertion the text does not show may only trail (carried, not displayed).
      for (let n = 1; n <= e.insertions.length; n++)
        if (!used.includes(n))
          expect(n, `${name}: %${n} declared, not shown`).toBeGreaterThan(highest);
    }
  });

  it('names messages in upper snake case and insertions in camel case', () => {
    for (const [name, e] of entries) {
      expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      for (const i of e.insertions) expect(i, name).toMatch(/^[a-z][A-Za-z]*$/);
    }
  });

  it('orders named insertion values as declared and renders them', () => {
    const strings = insertionStrings('DISTRIBUTED_TO_DP', { dp: 'dp1', package: 'Firefox' });
    expect(strings).toEqual(['Firefox', 'dp1']);
    expect(renderStatusMessage(StatusMessages.DISTRIBUTED_TO_DP.id, strings)).toBe(
      'Distribution manager successfully distributed package "Firefox" to distribution point "dp1".',
    );
  });
});

/** Server, agent and simulator source: raise messages by catalog name, never by number. */
describe('status message ids in code', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const ids = new Set(entries.map(([, e]) => e.id));

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const path = join(dir, d.name);
      if (d.isDirectory()) return sources(path);
      return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [path] : [];
    });
  }

  it('has no catalog id as a number literal outside the catalog', () => {
    const found: string[] = [];
    for (const pkg of ['server', 'agent', 'simulator']) {
      for (const file of sources(join(root, pkg, 'src'))) {
        // Comments may cite the seed's numbers; code may not.
        const code = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, '');
        for (const m of code.matchAll(/(?<![\w.'"`-])(\d{4,5})(?![\w.'"`])/g))
          if (ids.has(Number(m[1]))) found.push(`${file}: ${m[1]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
