import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from './errors';
import { parseExperiment, parseSweep, type ValidateOptions, type ValidatedSweep } from './experiment';
import { EXPERIMENT_LIMITS, fileSizeMessage } from './limits';
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
    // An oversized file is refused before it is read.
    const stats = statSync(path);
    if (stats.isFile() && stats.size > EXPERIMENT_LIMITS.fileBytes) throw new ConfigError([{ path: '', message: fileSizeMessage(stats.size) }], path);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new ConfigError([{ path: '', message: `cannot read the file: ${reason}` }], path);
  }
}
