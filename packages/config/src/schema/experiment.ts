// The top level of an experiment file: name, base run config, and the sweep over it.
import { z } from 'zod';
import { EXPERIMENT_LIMITS } from '../limits';
import { type RunConfigInput, RunConfigSchema } from './run-config';

export const NAME_PATTERN = /^[a-z0-9_-]+$/;

export const DistributionSchema = z
  .strictObject({
    distribution: z.enum(['uniform', 'log-uniform']).describe('uniform on [low, high], or log-uniform (uniform in log, low > 0).'),
    low: z.number().describe('Lower end of the range.'),
    high: z.number().describe('Upper end of the range; greater than low.'),
  })
  .describe('A continuous range, for method: random.');

const valueList = () => z.array(z.unknown()).min(1).max(EXPERIMENT_LIMITS.listLength);

export const ValuesSchema = z.strictObject({ values: valueList().describe('The values to choose from.') }).describe('A list of values.');

export const ParameterValuesSchema = z
  .union([valueList().describe('The values to sweep (grid) or choose from (random).'), ValuesSchema, DistributionSchema])
  .describe('Values of one swept parameter.');

export const experimentShape = {
  name: z.string().regex(NAME_PATTERN, 'use only lowercase letters, digits, - and _').describe('Sweep name: lowercase letters, digits, - and _.'),
  description: z.string().max(EXPERIMENT_LIMITS.stringLength).optional().describe('What the experiment asks.'),
  base: RunConfigSchema.describe('The run config that parameters modify. It must be a complete, valid run on its own.'),
  method: z.enum(['grid', 'random']).default('grid').describe('grid: every combination of the parameter values; random: `trials` random draws.'),
  trials: z.int().min(1).max(EXPERIMENT_LIMITS.runs).optional().describe('Number of random draws (method: random only).'),
  searchSeed: z.int().min(0).max(0xffffffff).default(0).describe('Seed of the random search draws, so expansion is reproducible.'),
  parameters: z
    .record(z.string(), ParameterValuesSchema)
    .default(() => ({}))
    .describe('Dotted path inside base (e.g. sampler.stepSize) -> values. Grid order: first parameter slowest, last fastest.'),
  seeds: z
    .array(z.int().min(0).max(0xffffffff))
    .min(1)
    .max(EXPERIMENT_LIMITS.listLength)
    .default(() => [0])
    .describe('Seeds of every parameter combination (innermost loop of the expansion).'),
};

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type DistributionSpec = z.output<typeof DistributionSchema>;
export type ParameterValues = JsonValue[] | { values: JsonValue[] } | DistributionSpec;

/** A validated experiment file. `base` is kept as written, so parameters apply to what the user wrote. */
export interface ExperimentFile {
  name: string;
  description?: string;
  base: RunConfigInput;
  method: 'grid' | 'random';
  trials?: number;
  searchSeed: number;
  parameters: Record<string, ParameterValues>;
  seeds: number[];
}
