import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';
import { parseExperiment } from './experiment';
import type { ExperimentFile } from './schema';

/** Reads and validates an experiment file (YAML or JSON); a missing or unreadable file is a ConfigError too. */
export function loadExperimentFile(path: string): ExperimentFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new ConfigError([{ path: '', message: `cannot read the file: ${reason}` }], path);
  }
  return parseExperiment(text, path);
}
