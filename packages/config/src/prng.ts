/**
 * The random-search stream: mulberry32, a 32-bit-state generator that is tiny, fast and fixed
 * forever, so `method: random` expands to the same runs in every version and on every machine.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296; // uniform on [0, 1)
  };
}
