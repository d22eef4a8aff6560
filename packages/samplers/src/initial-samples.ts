import type * as tf from '@tensorflow/tfjs';
import type { NoiseFamily, Rng } from '@scorelab/core';
import type { SamplerInit, SamplerSpec } from '@scorelab/config';
import { aldLevels, langevinSigma, samplerSde } from './family-requirements';

/**
 * Where the chains start, x0: [spec.samples, dim]. langevin and ald: i.i.d. coordinates from spec.init,
 * U[low, high) or N(0, std^2); SDE samplers: the SDE's prior at T, sde.priorSample(samples, dim, rng).
 * Rejects the same spec / family mismatches as `createSampler`.
 */
export function initialSamples(spec: SamplerSpec, family: NoiseFamily, dim: number, rng: Rng): tf.Tensor2D {
  if (!Number.isInteger(spec.samples) || spec.samples < 1) throw new Error(`initialSamples: samples must be a positive integer, got ${spec.samples}`);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`initialSamples: dim must be a positive integer, got ${dim}`);
  switch (spec.kind) {
    case 'langevin':
      langevinSigma(family);
      return drawInit(spec.init, spec.samples, dim, rng);
    case 'ald':
      aldLevels(family);
      return drawInit(spec.init, spec.samples, dim, rng);
    case 'euler-maruyama':
    case 'reverse-diffusion':
    case 'pc':
    case 'ode':
      return samplerSde(spec.kind, family).priorSample(spec.samples, dim, rng);
  }
}

/** [n, dim] i.i.d. U[low, high) or N(0, std^2) coordinates. */
function drawInit(init: SamplerInit, n: number, dim: number, rng: Rng): tf.Tensor2D {
  switch (init.kind) {
    case 'uniform':
      if (!(init.low < init.high)) throw new Error(`initialSamples: uniform needs low < high, got [${init.low}, ${init.high}]`);
      return rng.uniformTensor([n, dim], init.low, init.high) as tf.Tensor2D;
    case 'gaussian':
      if (!(init.std > 0)) throw new Error(`initialSamples: gaussian needs std > 0, got ${init.std}`);
      return rng.normalTensor([n, dim], 0, init.std) as tf.Tensor2D;
  }
}
