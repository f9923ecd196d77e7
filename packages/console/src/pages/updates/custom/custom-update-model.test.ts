import { Value } from '@sinclair/typebox/value';
import { CustomUpdateInput, type CustomUpdate } from '@steward/protocol';
import { describe, expect, it } from 'vitest';
import { bodyOf, draftOf, emptyRule, ruleComplete } from './custom-update-model';

describe('custom update form model', () => {
  it('a filled new draft is a body the API schema accepts, without empty optional fields', () => {
    const draft = {
      ...draftOf(undefined),
      title: ' Acme Agent 2.1 ',
      vendor: 'Acme',
      product: 'Agent',
      version: '2.1',
      cves: ['CVE-2026-1234'],
      detection: {
        match: 'any' as const,
        rules: [
          {
            kind: 'package' as const,
            package: 'acme-agent',
            minVersion: '2.1-1',
            architecture: '',
          },
          { ...emptyRule('command'), command: 'acme --version' },
        ],
      },
    };
    const body = bodyOf(draft);
    expect(body.title).toBe('Acme Agent 2.1');
    // An empty architecture is no architecture; applicability off is null (every machine).
    expect(body.detection.rules[0]).toEqual({
      kind: 'package',
      package: 'acme-agent',
      minVersion: '2.1-1',
    });
    expect(body.applicability).toBeNull();
    expect([...Value.Errors(CustomUpdateInput, body)].map((e) => e.path)).toEqual([]);
  });

  it('an empty rule is incomplete, and the schema refuses it too', () => {
    for (const kind of ['package', 'file-exists', 'file-sha256', 'command'] as const) {
      const rule = emptyRule(kind);
      expect(ruleComplete(rule)).toBe(false);
      const body = bodyOf({
        ...draftOf(undefined),
        title: 't',
        vendor: 'v',
        product: 'p',
        version: '1',
        detection: { match: 'all', rules: [rule] },
      });
      const paths = [...Value.Errors(CustomUpdateInput, body)].map((e) => e.path);
      expect(paths.length).toBeGreaterThan(0);
      expect(paths.every((p) => p.startsWith('/detection'))).toBe(true);
    }
  });

  it('a saved update round-trips through the draft to the same rules and programs', () => {
    const saved: CustomUpdate = {
      id: 'u1',
      kind: 'custom',
      title: 'Acme',
      vendor: 'Acme',
      product: 'Agent',
      version: '2.1',
      classification: 'security',
      severity: 'high',
      description: '',
      references: { cves: [], links: ['https://mirror.example.org/notes'] },
      detection: { match: 'all', rules: [{ kind: 'file-exists', path: '/opt/acme' }] },
      applicability: { match: 'any', rules: [{ kind: 'command', command: 'true', exitCode: 1 }] },
      installProgram: { id: 'p1', name: 'Install', packageId: 'k', packageName: 'acme' },
      uninstallProgram: null,
      createdAt: '',
      createdBy: '',
      updatedAt: '',
    };
    const body = bodyOf(draftOf(saved));
    expect(body).toMatchObject({
      classification: 'security',
      severity: 'high',
      detection: saved.detection,
      applicability: saved.applicability,
      references: saved.references,
      installProgramId: 'p1',
      uninstallProgramId: null,
    });
    expect(Value.Check(CustomUpdateInput, body)).toBe(true);
  });
});
