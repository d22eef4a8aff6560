// A whole run config: the sections together, and the rules that span sections.
import { z } from 'zod';
import { MIXTURE_DATASET_KINDS, DatasetSchema } from './dataset';
import { knownDataDim } from './data-dim';
import { dataRules } from './data-rules';
import { SAMPLE_METRICS } from '../metric-names';
import { EvalSchema } from './eval';
import { LossSchema, NEGATIVES_DEFAULTS } from './loss';
import { memoryBudgetRule } from './memory-budget';
import { ModelSchema, TIME_NETWORK_DEFAULTS } from './model';
import { NoiseSchema, noiseLevels } from './noise';
import { afterChecks } from './refine';
import { SDE_SAMPLER_KINDS, SamplerSchema } from './sampler';
import { SdeSchema } from './sde';
import { TrainSchema } from './train';

export const RunConfigObjectSchema = z.strictObject({
  dataset: DatasetSchema,
  model: ModelSchema,
  noise: NoiseSchema.optional(),
  sde: SdeSchema.optional(),
  loss: LossSchema.optional(),
  train: TrainSchema.optional(),
  sampler: SamplerSchema.optional(),
  eval: EvalSchema.optional(),
});

/** Rules that relate sections (each names the key to fix). */
function runConfigRules(c: z.output<typeof RunConfigObjectSchema>, ctx: z.RefinementCtx): void {
  const add = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const levels = c.noise ? noiseLevels(c.noise) : 0;
  if (c.model.kind !== 'analytic') {
    if (!c.loss) add(['loss'], `required when model.kind is ${c.model.kind} (only analytic models skip training)`);
    if (!c.train) add(['train'], `required when model.kind is ${c.model.kind} (only analytic models skip training)`);
  }
  energyRules(c, add);
  dataRules(c, add);
  if (c.sde) {
    sdeRules(c, add);
  } else {
    if (c.loss?.kind === 'dsm' && !c.noise) add(['loss', 'kind'], 'dsm needs noise (use levels: 1 for a single sigma)');
    if (c.loss?.weighting === 'likelihood') add(['loss', 'weighting'], 'likelihood (lambda = g(t)^2) needs an sde section; with noise levels use sigma2 or none');
    if (c.model.kind !== 'analytic') {
      for (const key of ['fourierFeatures', 'fourierScale', 'timeInput'] as const) {
        if (c.model[key] !== undefined) add(['model', key], 'only applies with an sde section (the time-conditional network)');
      }
    }
    if (c.sampler && isSdeSampler(c.sampler.kind)) add(['sampler', 'kind'], `${c.sampler.kind} samples a score SDE and needs an sde section (with noise levels use langevin or ald)`);
    if (c.sampler?.kind === 'ald' && levels < 2) {
      add(['sampler', 'kind'], 'ald needs noise with more than one level (without noise, or with levels: 1, use langevin)');
    }
  }
  if (c.eval) {
    const seen = new Set<string>();
    c.eval.metrics.forEach((m, i) => {
      if (seen.has(m)) add(['eval', 'metrics', i], `duplicate metric ${m}`);
      seen.add(m);
      if (SAMPLE_METRICS.includes(m) && !c.sampler) add(['eval', 'metrics', i], `${m} is computed on generated samples, so it needs a sampler section`);
      if (m === 'modeWeights' && !(MIXTURE_DATASET_KINDS as readonly string[]).includes(c.dataset.kind)) {
        add(['eval', 'metrics', i], `modeWeights needs a mixture dataset; ${c.dataset.kind} has no mixture components`);
      }
      if (m === 'nll' && !c.sde && c.model.kind !== 'energy') {
        add(['eval', 'metrics', i], 'nll needs an sde section (the likelihood is computed through the probability-flow ODE) or a 2-D energy model (exp(-E) normalised by quadrature)');
      }
      const dim = knownDataDim(c.dataset);
      if ((m === 'density' || (m === 'nll' && !c.sde && c.model.kind === 'energy')) && dim !== undefined && dim !== 2) {
        add(['eval', 'metrics', i], `${m} normalises the learned density on a 2-D grid, and ${c.dataset.kind} data have dimension ${dim}`);
      }
    });
    if (c.eval.every !== undefined && c.train && c.eval.every > c.train.steps) {
      add(['eval', 'every'], `must be at most train.steps (${c.train.steps}), got ${c.eval.every}`);
    }
  }
  memoryBudgetRule(c, add);
}

function isSdeSampler(kind: string): boolean {
  return (SDE_SAMPLER_KINDS as readonly string[]).includes(kind);
}

/** Rules of a run with an sde section (it replaces noise; samplers, losses and the model follow it). */
function sdeRules(c: z.output<typeof RunConfigObjectSchema>, add: (path: (string | number)[], message: string) => void): void {
  if (c.noise) add(['sde'], 'noise and sde are both given: an sde replaces the noise levels, remove one of them');
  if (c.model.kind !== 'analytic' && c.model.conditioning !== 'embed') {
    add(['model', 'conditioning'], `${c.model.conditioning} does not apply with an sde: the network always embeds time and divides by s(t) (leave conditioning out, or embed)`);
  }
  if (c.loss?.kind === 'sm') add(['loss', 'kind'], 'sm (exact score matching) is not available with an sde; use dsm, ssm or ssm-vr');
  if (c.loss?.weighting === 'none') add(['loss', 'weighting'], 'none is not available with an sde; use sigma2 (lambda = s(t)^2) or likelihood (lambda = g(t)^2)');
  if (c.sampler && !isSdeSampler(c.sampler.kind)) {
    add(['sampler', 'kind'], `${c.sampler.kind} samples noise levels, not an sde; with an sde use ${SDE_SAMPLER_KINDS.join(', ')}`);
  }
}

/**
 * Rules of energy models and of loss ml: ml needs an energy model and is single-scale (clean data, or one noise
 * level sigma: the negatives are Langevin chains of the one energy exp(-E(., sigma))); its keys belong to ml only; an energy network
 * without noise or sde has no condition; the fused engine has no energy path yet (one more derivative order).
 */
function energyRules(c: z.output<typeof RunConfigObjectSchema>, add: (path: (string | number)[], message: string) => void): void {
  const loss = c.loss;
  if (loss?.kind === 'ml') {
    if (c.model.kind !== 'energy') add(['loss', 'kind'], `ml (maximum likelihood by contrastive divergence) needs an energy model; model.kind is ${c.model.kind} (use model.kind: energy, or a score-matching loss)`);
    if (c.noise && noiseLevels(c.noise) !== 1) add(['noise'], `loss ml is single-scale: it trains the energy of the clean data (no noise) or of the data at one noise level (levels: 1), not ${noiseLevels(c.noise)} levels`);
    if (c.sde) add(['sde'], 'loss ml is single-scale and has no continuous-time version: remove the sde section (or use noise with levels: 1)');
  } else if (loss) {
    if (loss.negatives !== undefined) add(['loss', 'negatives'], `only applies to loss ml, not ${loss.kind}`);
    if (loss.alpha !== undefined) add(['loss', 'alpha'], `only applies to loss ml, not ${loss.kind}`);
  }
  if (c.model.kind === 'energy') {
    if (!c.noise && !c.sde && c.model.conditioning !== 'none') {
      add(['model', 'conditioning'], `${c.model.conditioning} needs a noise level to see, and this run has no noise or sde section: use conditioning: none`);
    }
    if (c.model.engine === 'fused') {
      add(['model', 'engine'], 'fused has no energy network yet: the score -grad_x E is a gradient, so training needs one more derivative order than the kernels compute (docs/numerics.md); use tfjs or auto');
    }
  }
  if (c.train?.clipGradNorm !== undefined && c.model.kind !== 'analytic' && c.model.engine === 'fused') {
    add(['train', 'clipGradNorm'], 'gradient clipping runs on the tfjs engine only: use model.engine tfjs or auto');
  }
}

/** Resolved-config defaults that depend on other sections: eval.every = train.steps; the time network's keys with an sde; ml's negatives and alpha. */
function fillDependentDefaults<C extends z.output<typeof RunConfigObjectSchema>>(c: C): C {
  let out = c;
  if (out.eval && out.eval.every === undefined && out.train) out = { ...out, eval: { ...out.eval, every: out.train.steps } };
  if (out.loss?.kind === 'ml') {
    const l = out.loss;
    out = { ...out, loss: { ...l, negatives: l.negatives ?? { ...NEGATIVES_DEFAULTS }, alpha: l.alpha ?? 0 } };
  }
  if (out.sde && out.model.kind !== 'analytic') {
    const m = out.model;
    out = {
      ...out,
      model: {
        ...m,
        fourierFeatures: m.fourierFeatures ?? TIME_NETWORK_DEFAULTS.fourierFeatures,
        fourierScale: m.fourierScale ?? TIME_NETWORK_DEFAULTS.fourierScale,
        timeInput: m.timeInput ?? TIME_NETWORK_DEFAULTS.timeInput,
      },
    };
  }
  return out;
}

/**
 * A single run's configuration. Parsing fills every default, so the output is the fully resolved
 * config that is stored and hashed (`eval.every` defaults to `train.steps`; with an sde, the mlp's
 * time-network keys get their defaults).
 */
export const RunConfigSchema = RunConfigObjectSchema.superRefine(runConfigRules, afterChecks)
  .transform(fillDependentDefaults)
  .describe('One run: dataset, model, noise levels or sde, loss, training, sampler and evaluation.');

/** A run config with every default filled in: what a run executes, stores and hashes. */
export type ResolvedRunConfig = z.output<typeof RunConfigSchema>;
/** A run config as written in a file (defaults may be missing). */
export type RunConfigInput = z.input<typeof RunConfigSchema>;
