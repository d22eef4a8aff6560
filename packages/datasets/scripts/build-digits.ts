// Writes src/digits-data.ts from data/digits.csv.gz: npx tsx packages/datasets/scripts/build-digits.ts
import { writeFileSync } from 'node:fs';
import { DIGITS_MODULE, generatedDigitsModule, readDigitsSource } from './digits-module';

const { gz, table } = readDigitsSource();
writeFileSync(DIGITS_MODULE, generatedDigitsModule(gz, table));
console.log(`wrote ${DIGITS_MODULE}: ${table.labels.length} images`);
