/**
 * A short human label for a swept value. Whole sections swept as values (e.g.
 * `sampler: [{ kind: pc, steps: 250, ... }, ...]`) read as `pc (steps=250, snr=0.16)`: the kind,
 * then the scalar fields except `samples`; nested objects are left out. Scalars read as written.
 * (The dashboard's browser client imports it from here.)
 */
export function parameterValueLabel(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const fields = Object.entries(o)
      .filter(([k, x]) => k !== 'kind' && k !== 'samples' && (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean'))
      .map(([k, x]) => `${k}=${String(x)}`);
    const head = typeof o.kind === 'string' ? o.kind : '';
    if (head) return fields.length ? `${head} (${fields.join(', ')})` : head;
    return fields.join(', ') || JSON.stringify(v);
  }
  return JSON.stringify(v) ?? String(v);
}
