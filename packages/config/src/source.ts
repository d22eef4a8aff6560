/**
 * Experiment-file text -> data, plus a locator from data paths to line:column. YAML is parsed
 * with the `yaml` package's document API, which keeps the source range of every node; JSON is
 * parsed with JSON.parse and located through the same YAML document (JSON is valid YAML 1.2).
 */
import { type Alias, type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError, formatPath, type PathSegment, type SourceLocator } from './errors';
import { aliasExpansionMessage, EXPERIMENT_LIMITS, fileSizeMessage, utf8Length } from './limits';

export interface ParsedSource extends SourceLocator {
  data: unknown;
  fileName: string;
  format: 'yaml' | 'json';
}

/** JSON for `.json` files, YAML for `.yaml`/`.yml`; otherwise JSON when the text starts with `{`. */
export function detectFormat(text: string, fileName: string): 'yaml' | 'json' {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** Parses the text; syntax errors, oversized files and alias bombs throw a ConfigError with positions. */
export function parseSource(text: string, fileName: string): ParsedSource {
  const bytes = utf8Length(text);
  if (bytes > EXPERIMENT_LIMITS.fileBytes) throw new ConfigError([{ path: '', message: fileSizeMessage(bytes) }], fileName);
  const format = detectFormat(text, fileName);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: format === 'yaml' });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  let data: unknown;
  if (format === 'json') {
    try {
      data = JSON.parse(text);
    } catch (e) {
      const message = (e as Error).message;
      const at = /at position (\d+)/.exec(message);
      const pos = position(at ? Number(at[1]) : text.length);
      const clean = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
      throw new ConfigError([{ path: '', message: `invalid JSON: ${clean}`, ...pos }], fileName);
    }
  } else {
    if (doc.errors.length > 0) {
      throw new ConfigError(
        doc.errors.map((e) => ({ path: '', message: `invalid YAML: ${e.message}`, ...position(e.pos[0]) })),
        fileName,
      );
    }
    // Aliases are counted here, with the alias that crosses the limit named; this replaces the yaml
    // package's own check (maxAliasCount), whose ReferenceError says neither where nor what.
    const bomb = aliasBomb(doc);
    if (bomb) {
      const message = bomb.cycle ? `the alias *${bomb.alias.source} refers to a node that contains it` : aliasExpansionMessage();
      throw new ConfigError([{ path: formatPath(bomb.path), message, ...position(bomb.alias.range?.[0] ?? 0) }], fileName);
    }
    data = doc.toJS({ maxAliasCount: -1 });
  }

  // Positions are best effort: a JSON file that YAML cannot read simply has none.
  const locatable = doc.errors.length === 0;
  return {
    data,
    fileName,
    format,
    locate(path: readonly PathSegment[], key?: boolean) {
      if (!locatable) return undefined;
      const offset = locateOffset(doc, path, key ?? false);
      return offset === undefined ? undefined : position(offset);
    },
  };
}

/**
 * Start offset of the node at `path` (of its key when `key` is set). When the path does not
 * exist (a missing key), the deepest existing ancestor is reported at its key.
 */
function locateOffset(doc: Document, path: readonly PathSegment[], key: boolean): number | undefined {
  const resolve = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  let node = resolve(doc.contents);
  let keyNode: Node | null = null;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) return startOf(keyNode ?? (node as Node));
      keyNode = isScalar(pair.key) ? pair.key : null;
      const value = resolve(pair.value);
      if (value === null || value === undefined) return keyNode ? startOf(keyNode) : undefined;
      node = value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      keyNode = null;
      node = resolve(node.items[seg]);
    } else {
      return startOf(keyNode ?? (node as Node));
    }
  }
  if (key && keyNode) return startOf(keyNode);
  return startOf(node as Node);
}

function startOf(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

/**
 * The alias at which the document, aliases expanded, first has more than EXPERIMENT_LIMITS.values
 * values (or an alias inside the node it names), with the path where it is written. Each anchored
 * node's expanded size is computed once, so this is linear in the document however deep aliases nest.
 */
function aliasBomb(doc: Document): { alias: Alias; path: PathSegment[]; cycle: boolean } | null {
  const limit = EXPERIMENT_LIMITS.values;
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let cycle: Alias | null = null;
  // Values of `node` with its aliases expanded (Infinity for a cycle).
  const sizeOf = (node: unknown): number => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined) return 1;
      if (open.has(target)) {
        cycle ??= node;
        return Infinity;
      }
      return sizeOf(target);
    }
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let n = 1;
    open.add(node);
    if (isMap(node)) for (const pair of node.items) n += sizeOf(pair.value);
    else if (isSeq(node)) for (const item of node.items) n += sizeOf(item);
    open.delete(node);
    sizes.set(node, n);
    return n;
  };
  // The document in order, with paths, adding each alias's expansion to the running total.
  let total = 0;
  const walk = (node: unknown, path: PathSegment[]): { alias: Alias; path: PathSegment[]; cycle: boolean } | null => {
    // Deeper nesting is refused by the size checks that follow (on the data); no need to walk it.
    if (path.length > EXPERIMENT_LIMITS.depth) return null;
    if (isAlias(node)) {
      total += sizeOf(node);
      if (cycle) return { alias: cycle, path, cycle: true };
      return total > limit ? { alias: node, path, cycle: false } : null;
    }
    total += 1;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const found = walk(pair.value, [...path, key]);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = walk(node.items[i], [...path, i]);
        if (found) return found;
      }
    }
    return null;
  };
  return walk(doc.contents, []);
}
