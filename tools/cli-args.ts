/** `--name value` flags of the tools' scripts (benchmarks): the value, or the fallback when absent. */
function flagValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

export function stringFlag(name: string, fallback: string): string;
export function stringFlag(name: string, fallback?: string): string | undefined;
export function stringFlag(name: string, fallback?: string): string | undefined {
  return flagValue(name) ?? fallback;
}

export function numberFlag(name: string, fallback: number): number {
  const v = flagValue(name);
  return v === undefined ? fallback : Number(v);
}
