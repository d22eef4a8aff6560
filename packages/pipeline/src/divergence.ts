/**
 * When a run diverges, what to say: which key most likely caused it (from the scales of the data and
 * the noise), and whether the sampler's chains have left every sane range. The scale of the data is
 * measured on a small sample of its own random stream, so no other stream (and no result) changes.
 */
import * as tf from '@tensorflow/tfjs';
import type { NoiseFamily, Rng } from '@scorelab/core';
import type { AnyDataset } from '@scorelab/datasets';
import type { NoiseSpec, ResolvedRunConfig, SamplerSpec, SdeSpec } from '@scorelab/config';
import type { SamplerCheckpoint } from '@scorelab/samplers';
import { RunFailure } from './hooks';

/** Data points drawn to measure the data's bounding box. */
export const EXTENT_SAMPLES = 1000;
/** A scale this many times larger (or smaller) than the data's width is "extreme". */
export const EXTREME_RATIO = 1e6;
/** beta(1) of a VP / sub-VP SDE above this is extreme (score_sde uses 20). */
export const EXTREME_BETA_MAX = 1e4;
/**
 * The sampler's sane range: the bounding box of the data and the initial samples, widened on every
 * side by this many times the box's largest side. Chains outside it (or not finite) have diverged.
 */
export const SANE_RANGE_FACTOR = 1e3;

/** The bounding box of some points: per-coordinate low and high ends. */
export interface Box {
  low: number[];
  high: number[];
}

/** Bounding box of x: [N, D] (one small read-back); non-finite when x has non-finite entries. */
export function boundingBox(x: tf.Tensor2D): Box {
  const d = x.shape[1];
  const v = tf.tidy(() => tf.concat([tf.min(x, 0), tf.max(x, 0)]).dataSync());
  return { low: Array.from(v.subarray(0, d)), high: Array.from(v.subarray(d)) };
}

/** Bounding box of EXTENT_SAMPLES data points from `rng` (a stream of its own: `RunRngs.range`). */
export function dataBox(dataset: AnyDataset, rng: Rng): Box {
  const x = dataset.sample(EXTENT_SAMPLES, rng);
  try {
    return boundingBox(x);
  } finally {
    x.dispose();
  }
}

/** The largest side of a box (NaN when it is not finite). */
export function boxWidth(box: Box): number {
  let w = 0;
  for (let i = 0; i < box.low.length; i++) {
    const side = box.high[i] - box.low[i];
    if (!Number.isFinite(side)) return NaN;
    w = Math.max(w, side);
  }
  return w;
}

/** 3 significant digits; exponent form for large and small magnitudes (1e+300, 2.7e+23, 1e-9). */
function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const r = Number(v.toPrecision(3));
  return Math.abs(r) >= 1e5 || (r !== 0 && Math.abs(r) < 1e-3) ? r.toExponential() : String(r);
}

/** The key that sets the data's scale, for each kind of dataset (null: the data has a fixed scale). */
function dataScaleKey(dataset: ResolvedRunConfig['dataset'], box: Box): string | null {
  switch (dataset.kind) {
    case 'mog2d-weighted':
    case 'digits':
      return null;
    case 'file':
      return 'dataset.path';
    case 'gaussian':
      return Number.isFinite(boxWidth(box)) && boxWidth(box) < EXTREME_RATIO ? 'dataset.mean' : 'dataset.std';
    case 'gmm':
      return dataset.covariances ? 'dataset.means or dataset.covariances' : 'dataset.means or dataset.stds';
    default:
      return 'dataset.scale';
  }
}

function noiseKeys(noise: NoiseSpec): { max: string; min: string } {
  return noise.schedule === 'custom' ? { max: 'noise.sigmas', min: 'noise.sigmas' } : { max: 'noise.sigmaMax', min: 'noise.sigmaMin' };
}

/** Largest and smallest noise std of the family, with the keys that set them. */
function noiseScales(config: ResolvedRunConfig, family: NoiseFamily): { max: number; min: number; maxKey: string; minKey: string } | null {
  switch (family.kind) {
    case 'clean':
      return null;
    case 'levels': {
      const keys = noiseKeys(config.noise!);
      return { max: family.sigmas[0], min: family.sigmas[family.sigmas.length - 1], maxKey: keys.max, minKey: keys.min };
    }
    case 'sde': {
      const sde = config.sde as SdeSpec;
      // Training's smallest noise is at trainEps (where t ~ U(trainEps, 1) starts), not the sampling eps.
      const [maxKey, minKey] = sde.kind === 've' ? ['sde.sigmaMax', 'sde.sigmaMin'] : ['sde.betaMax', 'sde.trainEps'];
      return { max: family.sde.marginal(family.sde.T).std, min: family.sde.marginal(family.sde.trainEps).std, maxKey, minKey };
    }
  }
}

/**
 * The key that most likely made a run diverge, as advice ("noise.sigmaMax is 1e+300, ...: use ..."), or
 * null when no scale is extreme. In order: the data's scale (from its bounding box), the largest and the
 * smallest noise scale against the data's width, a VP/sub-VP betaMax.
 */
export function extremeScale(config: ResolvedRunConfig, family: NoiseFamily, data: Box): string | null {
  const width = boxWidth(data);
  const magnitude = Math.max(...data.low.map(Math.abs), ...data.high.map(Math.abs));
  const dataKey = dataScaleKey(config.dataset, data);
  if (dataKey && (!Number.isFinite(width) || width > EXTREME_RATIO || magnitude > EXTREME_RATIO || width < 1 / EXTREME_RATIO)) {
    return `the data's scale is extreme (bounding box width ${fmt(width)}, largest coordinate ${fmt(magnitude)}): check ${dataKey}`;
  }
  const scale = Math.max(width, Number.MIN_VALUE);
  const noise = noiseScales(config, family);
  if (noise) {
    if (!Number.isFinite(noise.max) || noise.max > EXTREME_RATIO * scale) {
      return `${noise.maxKey} gives a largest noise scale of ${fmt(noise.max)}, extreme for data of width ${fmt(width)}: use one near the largest distance between data points`;
    }
    if (noise.min < scale / EXTREME_RATIO) {
      return `${noise.minKey} gives a smallest noise scale of ${fmt(noise.min)}, extreme for data of width ${fmt(width)}: use one near the finest scale of the data`;
    }
  }
  if (config.sde && config.sde.kind !== 've' && config.sde.betaMax > EXTREME_BETA_MAX) {
    return `sde.betaMax is ${fmt(config.sde.betaMax)}, far beyond score_sde's 20: use a smaller one`;
  }
  return null;
}

/** Advice for a diverged training loss: an extreme scale if there is one, else the learning rate. */
export function trainingDivergenceAdvice(config: ResolvedRunConfig, family: NoiseFamily, data: Box): string {
  const fallback =
    config.loss?.kind === 'ml'
      ? 'try a smaller loss.negatives.stepSize (the Langevin chains of the negatives may have left the data), a smaller train.lr, train.clipGradNorm or loss.alpha > 0'
      : 'try a smaller train.lr';
  return extremeScale(config, family, data) ?? fallback;
}

/** The sampler key to change when its chains diverge. */
function samplerAdvice(spec: SamplerSpec): string {
  switch (spec.kind) {
    case 'langevin':
    case 'ald':
      return 'try a smaller sampler.stepSize';
    case 'euler-maruyama':
    case 'reverse-diffusion':
      return 'try more sampler.steps';
    case 'pc':
      return 'try a smaller sampler.snr or more sampler.steps';
    case 'ode':
      return spec.method === 'rk45' ? 'try smaller sampler.rtol and sampler.atol' : 'try more sampler.steps';
  }
}

/** "at sampler step 50 of 300 (level 2, sigma 5.85; within range at step 0)", or after the last step. */
function where(at: SamplerCheckpoint, spec: SamplerSpec, lastGood: number | null): string {
  const good = lastGood === null ? [] : [`within range at step ${lastGood}`];
  if (at.final) {
    const notes = [...('denoise' in spec && spec.denoise ? ['in the denoising step'] : []), ...good].join('; ');
    return `after the last sampler step ${at.step}${notes ? ` (${notes})` : ''}`;
  }
  const of = at.totalSteps === null ? '' : ` of ${at.totalSteps}`;
  const position = [at.level !== undefined ? `level ${at.level + 1}` : '', at.sigma !== undefined ? `sigma ${fmt(at.sigma)}` : '', at.t !== undefined ? `t ${fmt(at.t)}` : ''].filter(Boolean).join(', ');
  const notes = [position, ...good].filter(Boolean).join('; ');
  return `at sampler step ${at.step}${of}${notes ? ` (${notes})` : ''}`;
}

/**
 * The pipeline's divergence policy for `runSampler`'s `check`: the chains must be finite and inside
 * the sane range (SANE_RANGE_FACTOR, fixed at the initial samples), else a RunFailure at training step
 * `trainStep` whose message names the sampler step and the key to change. Each check reads back three
 * numbers, so it runs at the sampler's progress reports only.
 */
export function samplerDivergenceCheck(opts: { config: ResolvedRunConfig; spec: SamplerSpec; family: NoiseFamily; data: Box; trainStep: number }): (x: tf.Tensor2D, at: SamplerCheckpoint) => void {
  const { config, spec, family, data, trainStep } = opts;
  let range: Box | null = null;
  let lastGood: number | null = null;
  const fail = (what: string, at: SamplerCheckpoint): never => {
    const initial = at.step === 0 && !at.final;
    const advice = extremeScale(config, family, data) ?? (initial ? (family.kind === 'sde' ? "check the sde section (the prior's scale)" : 'check sampler.init') : samplerAdvice(spec));
    throw new RunFailure(`sampling diverged: ${initial ? 'the initial samples' : 'samples'} ${what}; ${advice}`, trainStep);
  };
  return (x, at) => {
    const bounds = range;
    const [flags, above, below] = tf.tidy(() => {
      // x * 0 is 0 for finite entries and NaN for NaN and +-Infinity: its sum flags any of them.
      const nonFinite = tf.sum(tf.mul(x, 0));
      if (bounds === null) return [nonFinite.dataSync()[0], 0, 0];
      return Array.from(tf.stack([nonFinite, tf.max(tf.sub(x, tf.tensor1d(bounds.high))), tf.max(tf.sub(tf.tensor1d(bounds.low), x))]).dataSync());
    });
    if (Number.isNaN(flags)) fail(`are not finite (NaN or Infinity) ${where(at, spec, lastGood)}`, at);
    if (bounds === null) {
      // The range is fixed by the initial samples together with the data: chains start and end there.
      const start = boundingBox(x);
      const low = data.low.map((v, i) => Math.min(v, start.low[i]));
      const high = data.high.map((v, i) => Math.max(v, start.high[i]));
      const margin = SANE_RANGE_FACTOR * Math.max(boxWidth({ low, high }) || 0, 1e-6);
      range = { low: low.map((v) => v - margin), high: high.map((v) => v + margin) };
    } else if (above > 0 || below > 0) {
      const box = `[${fmt(Math.min(...bounds.low))}, ${fmt(Math.max(...bounds.high))}]`;
      fail(`left the sane range ${where(at, spec, lastGood)}: a coordinate is ${fmt(Math.max(above, below))} beyond ${box} (the bounding box of the data and the initial samples, widened by ${SANE_RANGE_FACTOR} times its width)`, at);
    }
    lastGood = at.step;
  };
}
