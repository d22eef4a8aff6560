import { z } from 'zod';
import { ExperimentFileSchema } from './experiment';

/**
 * JSON Schema (draft-07, the version editors support best) of experiment files as written:
 * optional keys and defaults as in the input, every description from the zod schema. Rules
 * between keys (sigmaMin < sigmaMax, ...) cannot be expressed and are checked by parseExperiment.
 */
export function experimentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ExperimentFileSchema, { io: 'input', target: 'draft-07' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return { $schema, title: 'Scorelab experiment file', ...rest };
}

/** The committed text of docs/experiment.schema.json. */
export function experimentJsonSchemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}
