// The pure parts of the energy and image views, against closed forms: the entropy of a Gaussian on
// a grid, the shared colour scale, grey levels, the negatives' snapshot names, row distances, the
// gallery's grid thinning and artifact check, and which datasets are images.
import { describe, expect, it } from 'vitest';
import type { DensityArtifact } from '@scorelab/config';
import { gridEntropy, LOG_SPAN, rampRgb, sharedLogScale } from '../client/density-map';
import { greyLevel, imageCount } from '../client/image-grid';
import { negativesNames, negativesStep } from '../client/run/energy';
import { rowDistances } from '../client/run/images';
import { isDensityArtifact, thinned } from '../src/routes/gallery';
import { imageShapeOf, isEnergyModel } from '../src/routes/image-shape';

/** log N(x; 0, s^2 I) in 2-D on an n x n grid of [-half, half]^2. */
function gaussianGrid(s: number, half: number, n: number): DensityArtifact {
  const at = (k: number) => -half + (2 * half * k) / (n - 1);
  return {
    grid: { xmin: -half, xmax: half, ymin: -half, ymax: half, nx: n, ny: n },
    sigma: 0,
    logDensity: Array.from({ length: n }, (_, j) => Array.from({ length: n }, (__, i) => -Math.log(2 * Math.PI * s * s) - (at(i) ** 2 + at(j) ** 2) / (2 * s * s))),
  };
}

describe('gridEntropy', () => {
  it('equals the 2-D Gaussian entropy log(2 pi e s^2) when the box holds the mass', () => {
    // Trapezoidal rule on a smooth, rapidly decaying integrand: the error is far below 1e-6 at h = s/10;
    // the mass beyond 8 s is ~e^-32.
    for (const s of [0.5, 1, 3]) expect(gridEntropy(gaussianGrid(s, 8 * s, 161))).toBeCloseTo(Math.log(2 * Math.PI * Math.E * s * s), 6);
  });

  it('refuses a box that cuts off mass (±1 s holds 47% of it)', () => {
    expect(gridEntropy(gaussianGrid(1, 1, 41))).toBeNull();
  });
});

describe('sharedLogScale and the ramp', () => {
  it('spans LOG_SPAN nats below the highest value of every panel, ignoring nulls', () => {
    const a = { logDensity: [[-1, -30, null]] };
    const b = { logDensity: [[-3, -2, -4]] };
    expect(sharedLogScale([a, b])).toEqual({ lo: -1 - LOG_SPAN, hi: -1 });
    expect(sharedLogScale([b])).toEqual({ lo: -4, hi: -2 });
    expect(sharedLogScale([{ logDensity: [[null]] }])).toBeNull();
  });

  it('runs from viridis dark to bright, clipped outside [0, 1]', () => {
    expect(rampRgb(0)).toEqual([0x44, 0x01, 0x54]);
    expect(rampRgb(1)).toEqual([0xfd, 0xe7, 0x25]);
    expect(rampRgb(-3)).toEqual(rampRgb(0));
    expect(rampRgb(7)).toEqual(rampRgb(1));
    // Halfway is the middle stop (#21918c).
    expect(rampRgb(0.5)).toEqual([0x21, 0x91, 0x8c]);
  });
});

describe('image grids', () => {
  it('maps the range to white .. black, clips outside it, and has no grey for non-finite pixels', () => {
    expect(greyLevel(0, [0, 1])).toBe(255);
    expect(greyLevel(1, [0, 1])).toBe(0);
    expect(greyLevel(0.5, [0, 1])).toBe(128);
    expect(greyLevel(-0.2, [0, 1])).toBe(255);
    expect(greyLevel(1.7, [0, 1])).toBe(0);
    expect(greyLevel(8, [0, 16])).toBe(128);
    expect(greyLevel(NaN, [0, 1])).toBeNull();
    expect(greyLevel(null, [0, 1])).toBeNull();
    expect(imageCount(new Array(64 * 3 + 5).fill(0), { width: 8, height: 8, range: [0, 1] })).toBe(3);
  });

  it('measures each sample’s distance to its own nearest image (same row)', () => {
    const a = [0, 0, 1, 1, 3, 4];
    const b = [3, 4, 1, 1, 0, 0];
    expect(rowDistances(a, b, 2)).toEqual([5, 0, 5]);
  });
});

describe('negatives snapshots', () => {
  it('reads negatives/<step> names only, by step, at most 8 evenly spaced with first and last', () => {
    expect(negativesStep('negatives/120')).toBe(120);
    for (const n of ['negatives/', 'negatives/1e3', 'negatives/-1', 'samples', 'checkpoint/100']) expect(negativesStep(n)).toBeNull();
    expect(negativesNames(['samples', 'negatives/200', 'negatives/0', 'negatives/100'])).toEqual([
      { name: 'negatives/0', step: 0 },
      { name: 'negatives/100', step: 100 },
      { name: 'negatives/200', step: 200 },
    ]);
    const many = negativesNames(Array.from({ length: 15 }, (_, k) => `negatives/${10 * k}`)).map((x) => x.step);
    expect(many).toEqual([0, 20, 40, 60, 80, 100, 120, 140]);
  });
});

describe('gallery helpers', () => {
  it('thins a 65x65 grid to 33x33 over the same box, node (i, j) = node (2i, 2j)', () => {
    const d = gaussianGrid(1, 4, 65);
    const t = thinned(d);
    expect(t.grid).toEqual({ ...d.grid, nx: 33, ny: 33 });
    expect(t.logDensity[10][3]).toBe(d.logDensity[20][6]);
    expect(thinned(gaussianGrid(1, 4, 21))).toEqual(gaussianGrid(1, 4, 21));
  });

  it('accepts a density artifact only with a complete grid and [ny][nx] values', () => {
    const d = gaussianGrid(1, 4, 5);
    expect(isDensityArtifact(d)).toBe(true);
    expect(isDensityArtifact({ ...d, logDensity: d.logDensity.slice(1) })).toBe(false);
    expect(isDensityArtifact({ ...d, grid: { ...d.grid, nx: 'five' } })).toBe(false);
    expect(isDensityArtifact({ ...d, logDensity: [[...d.logDensity[0], 'x'], ...d.logDensity.slice(1)] })).toBe(false);
    expect(isDensityArtifact(null)).toBe(false);
  });

  it('draws digits as 8x8 images and nothing else (a file dataset does not say its rows are images)', () => {
    expect(imageShapeOf({ dataset: { kind: 'digits' } })).toEqual({ width: 8, height: 8, range: [0, 1] });
    for (const c of [{ dataset: { kind: 'file', path: 'x.csv' } }, { dataset: { kind: 'gaussian', dim: 64 } }, {}, null]) expect(imageShapeOf(c)).toBeNull();
    expect(isEnergyModel({ model: { kind: 'energy' } })).toBe(true);
    expect(isEnergyModel({ model: { kind: 'mlp' } })).toBe(false);
  });
});
