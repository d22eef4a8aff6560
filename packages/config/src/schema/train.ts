// The `train` section: optimisation of the score network.
import { z } from 'zod';

export const TrainSchema = z
  .strictObject({
    steps: z.int().min(1).describe('Number of optimiser steps.'),
    batchSize: z.int().min(1).default(128).describe('Data points per step.'),
    optimizer: z.enum(['adam', 'sgd']).default('adam').describe('Optimiser.'),
    lr: z.number().positive().default(0.001).describe('Learning rate.'),
    logEvery: z.int().min(1).default(50).describe('Record train/loss and train/grad_norm every this many steps.'),
    // No defaults on the two checkpoint keys, so configs without them keep their config hash.
    checkpointEvery: z
      .int()
      .min(1)
      .optional()
      .describe('Save a checkpoint (weights, optimiser and random state, step) every this many steps, so an interrupted run resumes from it; the final model is always saved. Not part of the training hash.'),
    keepCheckpoints: z
      .int()
      .min(0)
      .optional()
      .describe('How many of the latest intermediate checkpoints to keep besides the final one (default 1). Not part of the training hash.'),
    // No default: configs without it keep their config hash, and no clipping is the old behaviour.
    clipGradNorm: z
      .number()
      .positive()
      .optional()
      .describe(
        'Clip the global L2 norm of each step\'s weight gradient to at most this value before the optimiser (train/grad_norm logs the norm before clipping). tfjs engine only (engine auto resolves to tfjs when it is set). Default: no clipping.',
      ),
  })
  .describe('Training of the score network. Required for mlp and energy models; analytic models skip training.');

export type TrainSpec = z.output<typeof TrainSchema>;
