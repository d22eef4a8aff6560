/**
 * The settings form, built from the config schema's enums (settings.ts re-exports them) so that a new
 * dataset, objective or activation appears here without touching the page.
 */
import {
  ACTIVATIONS,
  CONDITIONINGS,
  LOSS_KINDS,
  NOISE_MODES,
  PLAYGROUND_DATASETS,
  PLAYGROUND_ENGINES,
  PLAYGROUND_MODELS,
  PLAYGROUND_SAMPLERS,
  SDE_KINDS,
  type PlaygroundSettings,
} from './settings';

type Key = keyof PlaygroundSettings;
type Control =
  | { key: Key; label: string; kind: 'select'; options: readonly string[] }
  | { key: Key; label: string; kind: 'number'; min: number; step: number; integer: boolean }
  | { key: 'hidden'; label: string; kind: 'widths' };

const int = (key: Key, label: string, min = 1): Control => ({ key, label, kind: 'number', min, step: 1, integer: true });
const real = (key: Key, label: string, step: number): Control => ({ key, label, kind: 'number', min: 0, step, integer: false });

export const CONTROL_GROUPS: { title: string; controls: Control[] }[] = [
  { title: 'Data', controls: [{ key: 'dataset', label: 'dataset', kind: 'select', options: PLAYGROUND_DATASETS }, int('seed', 'seed', 0)] },
  {
    title: 'Model',
    controls: [
      { key: 'model', label: 'model', kind: 'select', options: PLAYGROUND_MODELS },
      { key: 'hidden', label: 'hidden widths', kind: 'widths' },
      { key: 'activation', label: 'activation', kind: 'select', options: ACTIVATIONS },
      { key: 'conditioning', label: 'conditioning', kind: 'select', options: CONDITIONINGS },
      { key: 'engine', label: 'engine', kind: 'select', options: PLAYGROUND_ENGINES },
    ],
  },
  {
    title: 'Objective and noise',
    controls: [
      { key: 'loss', label: 'objective', kind: 'select', options: LOSS_KINDS },
      { key: 'noiseMode', label: 'noise', kind: 'select', options: NOISE_MODES },
      real('sigmaMax', 'sigmaMax', 0.1),
      real('sigmaMin', 'sigmaMin', 0.01),
      int('levels', 'levels'),
      { key: 'sde', label: 'sde', kind: 'select', options: SDE_KINDS },
    ],
  },
  { title: 'Optimiser (Adam)', controls: [real('lr', 'lr', 0.0005), int('batchSize', 'batch'), int('steps', 'steps'), int('logEvery', 'log every'), int('evalEvery', 'eval every'), int('evalSamples', 'eval samples')] },
  {
    title: 'Sampler',
    controls: [{ key: 'sampler', label: 'sampler', kind: 'select', options: PLAYGROUND_SAMPLERS }, real('stepSize', 'step size', 0.005), int('samplerSteps', 'steps (per level)'), int('samples', 'samples')],
  },
];

/** Builds the form into `root`; `onChange` gets the new settings after every edit. */
export function buildControls(root: HTMLElement, initial: PlaygroundSettings, onChange: (s: PlaygroundSettings) => void): (s: PlaygroundSettings) => void {
  let current = { ...initial };
  const inputs = new Map<Key, HTMLInputElement | HTMLSelectElement>();
  for (const group of CONTROL_GROUPS) {
    const fieldset = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = group.title;
    fieldset.append(legend);
    for (const c of group.controls) {
      const label = document.createElement('label');
      label.textContent = `${c.label} `;
      let input: HTMLInputElement | HTMLSelectElement;
      if (c.kind === 'select') {
        const select = document.createElement('select');
        for (const o of c.options) select.append(new Option(o, o));
        input = select;
      } else {
        const text = document.createElement('input');
        if (c.kind === 'number') {
          text.type = 'number';
          text.min = String(c.min);
          text.step = String(c.step);
        }
        input = text;
      }
      input.name = c.key;
      input.id = `control-${c.key}`;
      input.addEventListener('change', () => {
        const value = readValue(c, input.value);
        if (value === null) {
          input.classList.add('invalid');
          return;
        }
        input.classList.remove('invalid');
        current = { ...current, [c.key]: value };
        onChange(current);
      });
      inputs.set(c.key, input);
      label.append(input);
      fieldset.append(label);
    }
    root.append(fieldset);
  }
  const set = (s: PlaygroundSettings) => {
    current = { ...s };
    for (const [key, input] of inputs) input.value = key === 'hidden' ? s.hidden.join(', ') : String(s[key]);
  };
  set(current);
  return set;
}

function readValue(c: Control, raw: string): unknown {
  switch (c.kind) {
    case 'select':
      return c.options.includes(raw) ? raw : null;
    case 'widths': {
      const widths = raw.split(/[\s,]+/).filter(Boolean).map(Number);
      return widths.length > 0 && widths.every((w) => Number.isInteger(w) && w > 0) ? widths : null;
    }
    case 'number': {
      const v = Number(raw);
      return raw.trim() !== '' && Number.isFinite(v) && v >= c.min && (!c.integer || Number.isInteger(v)) ? v : null;
    }
  }
}
