// Colours of series and groups.

/** Tableau 10: distinguishable, colour-blind friendlier than the defaults. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

export const color = (i: number): string => PALETTE[i % PALETTE.length];

/** '#rrggbb' -> 'rgba(r, g, b, alpha)'. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
