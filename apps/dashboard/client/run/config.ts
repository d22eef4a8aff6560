// The run's resolved config, and its diff against another run of the sweep (chosen in a select).
import { parameterValueLabel } from '@scorelab/config';
import { fetchDiff } from '../api';
import { h } from '../dom';
import type { RunView } from './context';

export async function renderConfig(view: RunView): Promise<void> {
  const { run, siblings } = view.data;
  const diff = h('div', { id: 'diff' });
  const select = h(
    'select',
    {
      id: 'diff-with',
      onchange: (e) => {
        view.diffWith = e.currentTarget.value;
        void renderDiff(view, diff);
      },
    },
    h('option', { value: '' }, '— choose a run —'),
    siblings
      .filter((s) => s.id !== run.id)
      .map((s) => h('option', { value: String(s.id), selected: String(s.id) === view.diffWith }, `#${s.id} ${Object.values(s.params).map(parameterValueLabel).join(', ')} · seed ${s.seed} (${s.status})`)),
  );
  view.sections.config.replaceChildren(
    h('h2', {}, 'Resolved config'),
    h('div', { class: 'controls' }, h('label', {}, 'compare with', select)),
    diff,
    h('details', { open: true }, h('summary', {}, 'full config (JSON)'), h('pre', { class: 'config', id: 'config-json' }, JSON.stringify(run.config, null, 2))),
  );
  await renderDiff(view, diff);
}

async function renderDiff(view: RunView, box: HTMLElement): Promise<void> {
  if (!view.diffWith) {
    box.replaceChildren();
    return;
  }
  const d = await fetchDiff(view.runId, view.diffWith);
  box.replaceChildren(
    d.differences.length === 0
      ? h('p', { class: 'muted' }, `Same config as run #${d.b} (only the seed may differ).`)
      : h(
          'table',
          { class: 'data', id: 'diff-table', style: { marginBottom: '10px' } },
          h('thead', {}, h('tr', {}, h('th', {}, 'path'), h('th', {}, `this run (#${d.a})`), h('th', {}, `run #${d.b}`))),
          h(
            'tbody',
            {},
            d.differences.map((x) => h('tr', {}, h('td', { class: 'mono' }, x.path), h('td', { class: 'mono' }, JSON.stringify(x.a)), h('td', { class: 'mono' }, JSON.stringify(x.b)))),
          ),
        ),
  );
}
