/**
 * A seeded uniform generator in [0, 1): mulberry32 (Tommy Ettinger's 32-bit generator, public domain). Training
 * samples record pairs with it so that a model trained twice on the same records with the same seed is the same.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
