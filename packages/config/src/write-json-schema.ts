/**
 * Regenerates docs/experiment.schema.json from the zod schema:
 *   npx tsx packages/config/src/write-json-schema.ts
 * (json-schema.test.ts fails while the committed file is out of date).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { experimentJsonSchemaText } from './json-schema';

export const JSON_SCHEMA_PATH = fileURLToPath(new URL('../../../docs/experiment.schema.json', import.meta.url));

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  writeFileSync(JSON_SCHEMA_PATH, experimentJsonSchemaText());
  console.log(`wrote ${JSON_SCHEMA_PATH}`);
}
