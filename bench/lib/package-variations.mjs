// Distinct package sets that vary this machine's, as a real fleet's do: some packages missing,
// some at an older version (not yet upgraded), some at a newer one (upgraded before the catalog
// knows it). Deterministic for a seed. The package `target` (the benchmark's one update) is
// missing from about 5% of the sets and already newer than the update in about 5%, so the
// compliance picture has every state.

/** mulberry32: a small seeded generator, so a run can be repeated exactly. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct variations of `base` ({ manager, name, arch, version }[]). */
export function* installedVariations(base, count, seed, target) {
  const random = rng(seed);
  for (let i = 0; i < count; i++) {
    const set = [];
    for (const p of base) {
      if (p.name === target) {
        const r = random();
        if (r < 0.05) continue;
        set.push(r < 0.1 ? { ...p, version: `${p.version}+bench9` } : p);
        continue;
      }
      const r = random();
      // ~2% missing, ~3% older (`~` sorts before everything in dpkg's order), ~2% newer.
      if (r < 0.02) continue;
      if (r < 0.05) set.push({ ...p, version: `${p.version}~old${i % 7}` });
      else if (r < 0.07) set.push({ ...p, version: `${p.version}+new${i % 5}` });
      else set.push(p);
    }
    // The set's index makes it distinct even when the draws above happen to coincide.
    set.push({ manager: 'dpkg', name: `bench-variant-${i}`, arch: 'all', version: '1' });
    yield set;
  }
}
