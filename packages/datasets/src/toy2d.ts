import type { GaussianMixture } from './dataset';
import { isotropic } from './gaussian-mixture';

/**
 * The 2-D toy distributions, all Gaussian mixtures so that every perturbed score is exact
 * (p_sigma adds sigma^2 I to each component). s = scale (default 1) multiplies every length,
 * so the data fit in about [-4s, 4s]^2. Component std is 0.1 s unless stated.
 *
 * - mog2d-weighted: 0.2 N((-5,-5), I) + 0.8 N((5,5), I) (not scaled; the NCSN example).
 * - 8gaussians:  8 equal components at 2s (cos(2 pi k/8), sin(2 pi k/8)), k = 0..7.
 * - 25gaussians: 25 equal components on the grid {-2, -1, 0, 1, 2}^2 * s.
 * - rings:       3 concentric circles of radius s, 2s, 3s with 32, 64, 96 components equally
 *                spaced in angle (0.196 s apart, so ~uniform along each ring), all weights equal.
 * - swissroll:   150 components at (t cos t, t sin t) * s/5 for t equally spaced in
 *                [1.5 pi, 4.5 pi] (the sklearn roll, t uniform, scaled by 1/5 as in FFJORD).
 * - moons:       2 half circles, 50 components each equally spaced in theta in [0, pi]:
 *                outer 2s(cos t - 1/2, sin t - 1/4), inner 2s(1/2 - cos t, 1/4 - sin t)
 *                (sklearn make_moons, centred and scaled by 2).
 * Components within one curve are spaced at most ~2 std apart, so the curves have no visible beads.
 */
export const TOY_STD = 0.1;

export function mog2dWeighted(): GaussianMixture {
  return { weights: [0.2, 0.8], means: [[-5, -5], [5, 5]], covariances: [isotropic(2, 1), isotropic(2, 1)] };
}

export function eightGaussians(scale: number): GaussianMixture {
  return equalWeights(
    Array.from({ length: 8 }, (_, k) => [2 * scale * Math.cos((2 * Math.PI * k) / 8), 2 * scale * Math.sin((2 * Math.PI * k) / 8)]),
    TOY_STD * scale,
  );
}

export function twentyFiveGaussians(scale: number): GaussianMixture {
  const means: number[][] = [];
  for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) means.push([i * scale, j * scale]);
  return equalWeights(means, TOY_STD * scale);
}

export function rings(scale: number): GaussianMixture {
  const means: number[][] = [];
  for (const radius of [1, 2, 3]) {
    const count = 32 * radius;
    for (let k = 0; k < count; k++) {
      const angle = (2 * Math.PI * k) / count;
      means.push([radius * scale * Math.cos(angle), radius * scale * Math.sin(angle)]);
    }
  }
  return equalWeights(means, TOY_STD * scale);
}

export function swissroll(scale: number): GaussianMixture {
  const count = 150;
  const means = Array.from({ length: count }, (_, k) => {
    const t = 1.5 * Math.PI + (3 * Math.PI * k) / (count - 1);
    return [(t * Math.cos(t) * scale) / 5, (t * Math.sin(t) * scale) / 5];
  });
  return equalWeights(means, TOY_STD * scale);
}

export function moons(scale: number): GaussianMixture {
  const perMoon = 50;
  const means: number[][] = [];
  for (let k = 0; k < perMoon; k++) {
    const t = (Math.PI * k) / (perMoon - 1);
    means.push([2 * scale * (Math.cos(t) - 0.5), 2 * scale * (Math.sin(t) - 0.25)]);
    means.push([2 * scale * (0.5 - Math.cos(t)), 2 * scale * (0.25 - Math.sin(t))]);
  }
  return equalWeights(means, TOY_STD * scale);
}

function equalWeights(means: number[][], std: number): GaussianMixture {
  return { weights: means.map(() => 1 / means.length), means, covariances: means.map(() => isotropic(2, std * std)) };
}
