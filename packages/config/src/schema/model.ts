// The `model` section: the score network, the energy network (or the exact score).
import { z } from 'zod';

export const ACTIVATIONS = ['softplus', 'swish', 'elu', 'relu', 'tanh'] as const;
export const CONDITIONINGS = ['none', 'sigma-scale', 'embed'] as const;
export const TIME_INPUTS = ['time', 'log-std'] as const;
export const ENGINES = ['auto', 'fused', 'tfjs'] as const;
/** Defaults of the time-conditional network's keys, filled in resolved configs that have an sde. */
export const TIME_NETWORK_DEFAULTS = { fourierFeatures: 8, fourierScale: 1, timeInput: 'time' } as const;

/** The keys an MLP score network and an energy network share (DESIGN.md section 3: energy has the same options as mlp). */
const networkShape = {
  hidden: z
    .array(z.int().min(1))
    .min(1)
    .default(() => [128, 128])
    .describe('Widths of the hidden layers.'),
  activation: z.enum(ACTIVATIONS).default('softplus').describe('Activation after every hidden layer.'),
  conditioning: z
    .enum(CONDITIONINGS)
    .default('embed')
    .describe(
      'How the network sees sigma: none (s(x) = f(x)), sigma-scale (s = f(x) / sigma, NCSNv2), embed (s = f([x, log sigma]) / sigma). With an sde only embed applies: the network always sees time.',
    ),
  // No zod defaults on the time-network keys: a default would appear in (and change the hash of) every
  // noise-level run's resolved config. RunConfigSchema fills them when an sde is given.
  fourierFeatures: z
    .int()
    .min(0)
    .optional()
    .describe('With an sde only: number F of Gaussian Fourier frequencies w_k ~ N(0, fourierScale^2) of the time embedding [c, sin(2 pi w c), cos(2 pi w c)]. Default 8.'),
  fourierScale: z.number().positive().optional().describe('With an sde only: standard deviation of the fixed random Fourier frequencies. Default 1.'),
  timeInput: z
    .enum(TIME_INPUTS)
    .optional()
    .describe('With an sde only: what the time embedding is made of, c = t (time) or c = log s(t), the log marginal std (log-std, NCSN++ for VE). Default time.'),
  // No zod default either: a resolved config names the engine only when the file does, so adding this key
  // changed no existing config hash; `auto` is resolved when the run starts (and the engine used is recorded).
  engine: z
    .enum(ENGINES)
    .optional()
    .describe(
      'What computes the network during training and sampling: fused (@scorelab/kernels: forward pass, tangents, backward pass and the optimiser in a few wasm SIMD calls per step), tfjs (the tensor backend, the reference implementation) or auto (fused; the SCORELAB_ENGINE environment variable can set another default). Both agree to float32 round-off. Default auto.',
    ),
};

export const MlpModelSchema = z
  .strictObject({
    kind: z.literal('mlp').describe('A fully connected score network D -> hidden... -> D.'),
    ...networkShape,
  })
  .describe('A trained MLP score network; with an sde, the time-conditional network s(x, t) = f([x, c, sin(2 pi w c), cos(2 pi w c)]) / s(t).');

export const EnergyModelSchema = z
  .strictObject({
    kind: z.literal('energy').describe('A fully connected energy network [x, features(cond)] -> hidden... -> 1, a scalar E(x, cond) with score -grad_x E.'),
    ...networkShape,
    conditioning: z
      .enum(CONDITIONINGS)
      .default('embed')
      .describe(
        'How the energy sees sigma: none (E = f(x)), sigma-scale (E = f(x) / sigma), embed (E = f([x, log sigma]) / sigma), so that the score -grad_x E has the 1/sigma scale. Without noise or sde only none applies. With an sde only embed applies (E = f([x, c, sin, cos]) / s(t)).',
      ),
    engine: z
      .enum(ENGINES)
      .optional()
      .describe(
        'What computes the network: tfjs (the tensor backend) or auto (= tfjs for energy models, recorded as tfjs). fused is not available yet: the score of an energy network is its input gradient, so training needs one more derivative order than the fused kernels compute (docs/numerics.md). Default auto.',
      ),
  })
  .describe('A trained energy network E(x, cond) (an energy-based model p(x) proportional to exp(-E)); its score -grad_x E serves every loss and sampler, and loss ml trains it by maximum likelihood.');

export const AnalyticModelSchema = z
  .strictObject({
    kind: z.literal('analytic').describe("Use the dataset's exact (perturbed) score, or with an sde the exact marginal score grad log p_t; nothing is trained."),
  })
  .describe('The exact score, to measure sampler error without score-estimation error.');

export const ModelSchema = z.discriminatedUnion('kind', [MlpModelSchema, EnergyModelSchema, AnalyticModelSchema]).describe('The score model s(x, sigma), or s(x, t) with an sde.');

export type MlpModelSpec = z.output<typeof MlpModelSchema>;
export type EnergyModelSpec = z.output<typeof EnergyModelSchema>;
/** A model with a trained network (mlp or energy). */
export type NetworkModelSpec = MlpModelSpec | EnergyModelSpec;
export type AnalyticModelSpec = z.output<typeof AnalyticModelSchema>;
export type ModelSpec = z.output<typeof ModelSchema>;
