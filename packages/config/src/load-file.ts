import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';
import { parseExperiment, parseSweep, type ValidateOptions, type ValidatedSweep } from './experiment';
import type { ExperimentFile } from './schema';

/** Reads and validates an experiment file (YAML or JSON); a missing or unreadable file is a ConfigError too. */
export function loadExperimentFile(path: string, options: ValidateOptions = {}): ExperimentFile {
  return parseExperiment(readExperimentText(path), path, options);
}

/** As loadExperimentFile, with the runs of the sweep (expanded once, by the validation). */
export function loadSweep(path: string): ValidatedSweep {
  return parseSweep(readExperimentText(path), path);
}

function readExperimentText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new ConfigError([{ path: '', message: `cannot read the file: ${reason}` }], path);
  }
}
