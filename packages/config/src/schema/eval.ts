// The `eval` section: evaluation metrics and how often to compute them.
import { z } from 'zod';

export const METRICS = ['fisher', 'mmd', 'swd', 'modeWeights', 'nll'] as const;
export type MetricName = (typeof METRICS)[number];
/** Metrics computed on generated samples. */
export const SAMPLE_METRICS: readonly MetricName[] = ['mmd', 'swd', 'modeWeights'];

export const EvalSchema = z
  .strictObject({
    every: z
      .int()
      .min(1)
      .optional()
      .describe('Evaluate every this many training steps and after the last one; at most train.steps. Omitted: only after the last step (analytic models are evaluated once).'),
    metrics: z
      .array(z.enum(METRICS))
      .min(1)
      .describe(
        'fisher: eval/fisher and eval/fisher@<sigma> (with an sde: eval/fisher@t=<t>) against the exact perturbed score; mmd: sample/mmd; swd: sample/swd; modeWeights: sample/mode_weight_tv and sample/mode_weight/<k> (mixture datasets only); nll: eval/nll, the negative log-likelihood of held-out data through the probability-flow ODE, and perf/nll_nfe (sde only).',
      ),
    samples: z.int().min(1).default(1000).describe('Data points drawn for fisher (per evaluation), as the reference set of mmd and swd, and as the held-out set of nll.'),
  })
  .describe('Evaluation metrics and how often to compute them.');

export type EvalSpec = z.output<typeof EvalSchema>;
