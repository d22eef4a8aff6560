/**
 * The playground page: the settings form, start / pause / reset, and the live views the training
 * worker sends (worker.ts). The page itself never touches tfjs: it resolves the settings with
 * @scorelab/config (the CLI's validation) and draws what comes back.
 */
import { ConfigError, type ResolvedRunConfig } from '@scorelab/config';
import type { MetricRecord } from '@scorelab/pipeline';
import { buildControls } from './controls';
import { barChart, heatMap, lineChart, scatter, vectorField } from './plots';
import type { DensityView, FieldView, FromWorker, SamplesView, ToWorker } from './protocol';
import { DEFAULT_SETTINGS, experimentYaml, resolvedConfig, type PlaygroundSettings } from './settings';
import { loadStoredRun, resampleConfig, type StoredRun } from './stored-run';

type State = 'idle' | 'running' | 'paused' | 'done' | 'stopped' | 'failed';

function byId<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the page has no #${id}`);
  return el;
}

const status = byId('status', HTMLElement);
const yamlBox = byId('yaml', HTMLTextAreaElement);
const levelSlider = byId('level', HTMLInputElement);
const frameSlider = byId('frame', HTMLInputElement);

let settings: PlaygroundSettings = { ...DEFAULT_SETTINGS };
let state: State = 'idle';
let worker: Worker | null = null;
/** Every metric point of the current run, by key. */
let series = new Map<string, [number, number][]>();
let field: FieldView | null = null;
/** The run's first field (step 0, before training; a loaded model's is at its step). */
let initialField: FieldView | null = null;
let density: DensityView | null = null;
let samples: SamplesView | null = null;
let animation: number | null = null;
let stored: StoredRun | null = null;
/** The run the page shows (each start is a new one); messages of earlier runs are dropped. */
let currentRun = 0;

function setState(next: State, text?: string): void {
  state = next;
  document.body.dataset.state = next;
  byId('start', HTMLButtonElement).textContent = next === 'paused' ? 'Resume' : 'Start';
  byId('start', HTMLButtonElement).disabled = next === 'running';
  byId('pause', HTMLButtonElement).disabled = next !== 'running';
  if (text !== undefined) status.textContent = text;
}

function post(message: ToWorker): void {
  worker?.postMessage(message);
}

function startWorker(): Worker {
  const backend = new URLSearchParams(location.search).get('backend');
  const w = new Worker(`/playground/worker.js${backend ? `?backend=${encodeURIComponent(backend)}` : ''}`, { type: 'module' });
  w.onmessage = (e: MessageEvent<FromWorker>) => {
    if (e.data.run === currentRun) receive(e.data);
  };
  w.onerror = (e) => {
    setState('failed', `the worker failed: ${e.message}`);
    console.error(`playground worker: ${e.message}`);
  };
  return w;
}

function start(): void {
  if (state === 'paused') {
    post({ type: 'resume' });
    setState('running', 'running');
    return;
  }
  let config: ResolvedRunConfig;
  try {
    config = resolvedConfig(settings);
  } catch (e) {
    setState('failed', e instanceof ConfigError ? `not a valid run: ${e.message}` : String(e));
    return;
  }
  launch(config, settings.seed, null);
}

function launch(config: ResolvedRunConfig, seed: number, checkpoint: Uint8Array | null): void {
  clearViews();
  levelSlider.max = '99';
  levelSlider.value = '99';
  worker ??= startWorker();
  currentRun++;
  post({ type: 'start', run: currentRun, config, seed, view: { level: Number(levelSlider.value) }, ...(checkpoint ? { checkpoint } : {}) });
  document.body.dataset.step = '0';
  setState('running', checkpoint ? 'loading the stored model…' : 'starting…');
}

async function openStoredRun(): Promise<void> {
  const storedStatus = byId('stored-status', HTMLElement);
  storedStatus.textContent = 'loading…';
  try {
    stored = await loadStoredRun(Number(byId('run-id', HTMLInputElement).value));
    const c = stored.config;
    storedStatus.textContent = `run ${stored.id}: ${c.model.kind} by ${c.loss?.kind ?? '-'} on ${c.dataset.kind}, seed ${stored.seed}${stored.sourceRunId !== stored.id ? ` (model trained by run ${stored.sourceRunId})` : ''}`;
    byId('resample', HTMLButtonElement).disabled = false;
  } catch (e) {
    stored = null;
    byId('resample', HTMLButtonElement).disabled = true;
    storedStatus.textContent = e instanceof Error ? e.message : String(e);
  }
}

function resampleStoredRun(): void {
  if (!stored) return;
  try {
    launch(resampleConfig(stored, settings), stored.seed, stored.checkpoint);
  } catch (e) {
    setState('failed', e instanceof Error ? e.message : String(e));
  }
}

function reset(): void {
  post({ type: 'reset' });
  // Whatever the stopped run still sends is not shown.
  currentRun++;
  clearViews();
  setState('idle', 'reset: press Start to train from step 0');
}

function clearViews(): void {
  series = new Map();
  field = null;
  initialField = null;
  density = null;
  samples = null;
  if (animation !== null) clearInterval(animation);
  animation = null;
  document.body.dataset.step = '0';
  document.querySelectorAll('canvas').forEach((c) => c.getContext('2d')?.clearRect(0, 0, c.width, c.height));
  byId('metrics', HTMLElement).replaceChildren();
  byId('floors', HTMLElement).replaceChildren();
}

function receive(msg: FromWorker): void {
  switch (msg.type) {
    case 'ready':
      byId('backend', HTMLElement).textContent = `tfjs backend ${msg.backend}`;
      return;
    case 'metrics':
      addMetrics(msg.points);
      return;
    case 'progress': {
      const p = msg.progress;
      if (p.phase === 'train' || p.phase === 'eval') document.body.dataset.step = String(p.step);
      if (state === 'running' || state === 'paused') status.textContent = `${msg.paused ? 'paused' : p.phase} · step ${p.step}${p.totalSteps ? ` / ${p.totalSteps}` : ''}${p.loss !== undefined ? ` · loss ${p.loss.toPrecision(4)}` : ''}`;
      if (msg.paused && state === 'running') setState('paused');
      return;
    }
    case 'field':
      field = msg.field;
      initialField ??= msg.field;
      drawField();
      return;
    case 'density':
      density = msg.density;
      drawDensity();
      return;
    case 'samples':
      if (samples?.final && !msg.samples.final) return;
      samples = msg.samples;
      drawSamples();
      return;
    case 'done':
      setState('done', `done: ${msg.trainSteps} steps in ${msg.seconds.toFixed(1)} s on the ${msg.engine ?? 'exact'} engine`);
      byId('engine', HTMLElement).textContent = `engine ${msg.engine ?? 'none'}`;
      document.body.dataset.engine = msg.engine ?? 'none';
      return;
    case 'stopped':
      if (state !== 'idle') setState('stopped', `stopped at step ${msg.step ?? 0}`);
      return;
    case 'error':
      setState('failed', msg.message);
      return;
  }
}

function addMetrics(points: MetricRecord[]): void {
  for (const p of points) {
    const s = series.get(p.key) ?? [];
    s.push([p.step, p.value]);
    series.set(p.key, s);
  }
  lineChart(byId('loss-chart', HTMLCanvasElement), [{ label: 'train/loss', color: '#dc2626', points: series.get('train/loss') ?? [] }].concat(
    series.has('eval/fisher') ? [{ label: 'eval/fisher', color: '#2563eb', points: series.get('eval/fisher')! }] : [],
  ));
  // One bar per noise level (eval/fisher@σ or @t=); single-scale runs (clean data) have eval/fisher only.
  const levels = [...series.keys()].filter((k) => k.startsWith('eval/fisher@'));
  const bars = levels.map((k) => ({ label: k.slice('eval/fisher@'.length), value: last(k) }));
  if (bars.length === 0 && series.has('eval/fisher')) bars.push({ label: 'clean', value: last('eval/fisher') });
  barChart(byId('fisher-chart', HTMLCanvasElement), bars);
  renderMetricTable();
}

function last(key: string): number {
  const s = series.get(key)!;
  return s[s.length - 1][1];
}

/** The latest value of every metric (data-value holds the exact number), and each sample metric beside its ref/ floor. */
function renderMetricTable(): void {
  const rows = [...series.keys()].sort().map((key) => {
    const tr = document.createElement('tr');
    tr.dataset.key = key;
    tr.dataset.value = String(last(key));
    tr.innerHTML = `<td>${key}</td><td>${fmt(last(key))}</td>`;
    return tr;
  });
  byId('metrics', HTMLElement).replaceChildren(...rows);
  const floors = [...series.keys()].filter((k) => k.startsWith('sample/') && series.has(`ref/${k.slice('sample/'.length)}`)).map((key) => {
    const name = key.slice('sample/'.length);
    const tr = document.createElement('tr');
    tr.innerHTML = `<td>${name}</td><td>${fmt(last(key))}</td><td>${fmt(last(`ref/${name}`))}</td>`;
    return tr;
  });
  byId('floors', HTMLElement).replaceChildren(...floors);
}

function fmt(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toPrecision(4)) : String(v);
}

/** The slider's level of the field (a new run starts at the smallest level, where the sampler ends). */
function fieldLevel(): number {
  return field ? Math.min(Number(levelSlider.value), field.levels.length - 1) : 0;
}

function drawField(): void {
  if (!field) return;
  levelSlider.max = String(field.levels.length - 1);
  const k = fieldLevel();
  byId('level-label', HTMLElement).textContent = `${field.levels[k]} · step ${field.step}`;
  vectorField(byId('field-model', HTMLCanvasElement), field.grid, field.model[k], '#dc2626');
  vectorField(byId('field-exact', HTMLCanvasElement), field.grid, field.exact[k], '#111827');
}

function drawDensity(): void {
  byId('density-section', HTMLElement).hidden = density === null;
  if (!density) return;
  byId('density-label', HTMLElement).textContent = `${density.label} · step ${density.step}`;
  heatMap(byId('density-model', HTMLCanvasElement), density.grid, density.learned);
  heatMap(byId('density-exact', HTMLCanvasElement), density.grid, density.exact);
}

function drawSamples(): void {
  if (!samples || !field) return;
  const s = samples;
  byId('samples-label', HTMLElement).textContent = s.final ? `the run's samples (sample stage, step ${s.step})` : `live draw at step ${s.step} (view stream)`;
  scatter(byId('samples-chart', HTMLCanvasElement), field.grid, s.samples, '#2563eb', s.data);
  const frames = s.trajectory?.snapshots ?? [];
  frameSlider.max = String(Math.max(0, frames.length - 1));
  frameSlider.value = frameSlider.max;
  drawFrame();
}

function drawFrame(): void {
  const t = samples?.trajectory;
  if (!t || !field) return;
  const k = Math.min(Number(frameSlider.value), t.snapshots.length - 1);
  byId('frame-label', HTMLElement).textContent = t.labels[k] ?? '';
  scatter(byId('trajectory-chart', HTMLCanvasElement), field.grid, t.snapshots[k], '#7c3aed', samples?.data);
}

function animate(): void {
  const t = samples?.trajectory;
  if (!t) return;
  if (animation !== null) clearInterval(animation);
  let k = 0;
  animation = window.setInterval(() => {
    frameSlider.value = String(k);
    drawFrame();
    if (++k >= t.snapshots.length && animation !== null) {
      clearInterval(animation);
      animation = null;
    }
  }, 350);
}

function settingsChanged(s: PlaygroundSettings): void {
  settings = s;
  yamlBox.value = experimentYaml(s);
  try {
    resolvedConfig(s);
    byId('config-error', HTMLElement).textContent = '';
  } catch (e) {
    byId('config-error', HTMLElement).textContent = e instanceof Error ? e.message : String(e);
  }
}

buildControls(byId('controls', HTMLElement), settings, settingsChanged);
settingsChanged(settings);
byId('start', HTMLButtonElement).addEventListener('click', start);
byId('pause', HTMLButtonElement).addEventListener('click', () => {
  post({ type: 'pause' });
  // data-state turns paused when the worker says it is (its next logged step).
  status.textContent = 'pausing…';
});
byId('reset', HTMLButtonElement).addEventListener('click', reset);
byId('open-run', HTMLButtonElement).addEventListener('click', () => void openStoredRun());
byId('resample', HTMLButtonElement).addEventListener('click', resampleStoredRun);
byId('sample-now', HTMLButtonElement).addEventListener('click', () => post({ type: 'sample' }));
byId('animate', HTMLButtonElement).addEventListener('click', animate);
levelSlider.addEventListener('input', () => {
  drawField();
  // The density (energy models) is computed for one level at a time by the worker.
  post({ type: 'view', view: { level: Number(levelSlider.value) } });
});
frameSlider.addEventListener('input', drawFrame);
byId('copy-yaml', HTMLButtonElement).addEventListener('click', async () => {
  yamlBox.select();
  try {
    await navigator.clipboard.writeText(yamlBox.value);
    byId('copied', HTMLElement).textContent = 'copied';
  } catch {
    byId('copied', HTMLElement).textContent = 'select the text and copy it (the clipboard is not available here)';
  }
});
setState('idle', 'pick the settings and press Start');
/** For scripts and tests: the settings in use, and a way to set them as the form would. */
Object.assign(window, {
  playground: {
    settings: () => ({ ...settings }),
    series: (key: string) => series.get(key) ?? [],
    /** The latest field (or with initial = true the run's first) at `level` (default: the slider's). */
    field: (level?: number, initial = false) => {
      const f = initial ? initialField : field;
      if (!f) return null;
      const k = level ?? fieldLevel();
      return { step: f.step, level: k, model: Array.from(f.model[k]), exact: Array.from(f.exact[k]) };
    },
  },
});
document.body.dataset.ready = '1';
