// The `eval` section: evaluation metrics and how often to compute them.
import { z } from 'zod';
import { EVAL_METRICS, METRICS } from '../metric-names';

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
      .describe(`${METRICS.map((m) => `${m}: ${EVAL_METRICS[m].logs}`).join('; ')}.`),
    samples: z.int().min(1).default(1000).describe('Data points drawn for fisher (per evaluation), as the reference set of mmd and swd, as the held-out set of nll, density, dsm and ssm, and the rows of the data-samples artifact.'),
  })
  .describe('Evaluation metrics and how often to compute them.');

export type EvalSpec = z.output<typeof EvalSchema>;
