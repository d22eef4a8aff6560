// Building DOM nodes: h('div', { class: 'x', onclick: f }, child, 'text', [more]). Text is always set
// as text, never parsed as HTML.

export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** A listener given the element it is attached to (event.currentTarget), typed by the tag. */
type Listener<E extends HTMLElement> = (event: Event & { currentTarget: E }) => void;

export interface Attrs<E extends HTMLElement = HTMLElement> {
  class?: string;
  id?: string;
  title?: string;
  href?: string;
  type?: string;
  value?: string;
  placeholder?: string;
  download?: string;
  /** Element properties, set only when true. */
  selected?: boolean;
  checked?: boolean;
  open?: boolean;
  style?: Partial<CSSStyleDeclaration>;
  dataset?: Record<string, string>;
  onclick?: Listener<E>;
  onchange?: Listener<E>;
  oninput?: Listener<E>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs<HTMLElementTagNameMap[K]> | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') Object.assign(el.style, v);
    else if (typeof v === 'boolean') Reflect.set(el, k, v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el: HTMLElement, children: readonly Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** An element the page's HTML must contain (#main, #crumbs, #live). */
export function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}
