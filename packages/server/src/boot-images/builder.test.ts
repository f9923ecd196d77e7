import { describe, expect, it } from 'vitest';
import { rootRecipeKey, type RootRecipe } from './builder.js';

const recipe: RootRecipe = {
  mirror: 'http://mirror.example.org/debian',
  suite: 'bookworm',
  arch: 'amd64',
  extraPackages: ['pciutils', 'lvm2'],
};

describe('boot image root recipe key', () => {
  it('is the same for the same inputs, whatever the order of extra packages', () => {
    expect(rootRecipeKey(recipe)).toBe(
      rootRecipeKey({ ...recipe, extraPackages: ['lvm2', 'pciutils'] }),
    );
  });

  it('changes with every input that changes the root', () => {
    const key = rootRecipeKey(recipe);
    for (const other of [
      { ...recipe, mirror: 'http://other.example.org/debian' },
      { ...recipe, suite: 'trixie' },
      { ...recipe, arch: 'arm64' as const },
      { ...recipe, extraPackages: ['pciutils'] },
    ])
      expect(rootRecipeKey(other)).not.toBe(key);
  });
});
