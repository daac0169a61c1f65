/**
 * The connector lists in README.md, packages/connector-sdk/README.md and docs/architecture.md are
 * generated from the registry, so registering a connector (or removing one) cannot leave a
 * hand-kept list behind. Pure: given the block names and each docs page's text, this renders
 * every list and splices it between its markers; `gen-connector-lists.ts` does the file I/O
 * and a unit test fails while any checked-in list differs from this output.
 */

/** The docs that carry a generated list, and how each renders a connector (paths relative to the file). */
export const LIST_FILES: readonly { readonly file: string; readonly render: (c: ListedConnector) => string; readonly head?: string }[] = [
  { file: 'README.md', render: (c) => `- [\`${c.name}\`](docs/connectors/${c.folder}.md): ${c.summary}` },
  {
    file: 'packages/connector-sdk/README.md',
    head: '| block | folder | what it does | docs |\n|---|---|---|---|',
    render: (c) => `| \`${c.name}\` | [\`src/connectors/${c.folder}/\`](../../src/connectors/${c.folder}) | ${c.summary.replaceAll('|', '\\|')} | [docs/connectors/${c.folder}.md](../../docs/connectors/${c.folder}.md) |`,
  },
  { file: 'docs/architecture.md', render: (c) => `- \`${c.name}\`: [\`src/connectors/${c.folder}/\`](../src/connectors/${c.folder}), [docs](connectors/${c.folder}.md)` },
];

export const BEGIN = '<!-- connectors:begin (generated from src/connectors/registered.ts by `npm run gen:connector-lists`; do not edit) -->';
export const END = '<!-- connectors:end -->';

export interface ListedConnector {
  /** The block name, e.g. `awsAcm`. */
  readonly name: string;
  /** The folder and docs page name, e.g. `aws-acm`. */
  readonly folder: string;
  /** The first sentence of the docs page. */
  readonly summary: string;
}

/** Block name → folder/page name: `gcpCertificateManager` → `gcp-certificate-manager`. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
}

/** The first sentence of `text` (a period inside bold, `.**`, ends it too). */
function firstSentence(text: string): string {
  const end = /[.!?]\**(\s|$)/.exec(text);
  return end === null ? text : text.slice(0, end.index + end[0].trimEnd().length);
}

/**
 * A docs page's one-line summary: the first sentence of its first plain paragraph after the
 * title. When the page opens with a `>` note (a caveat such as "untested against real IIS"),
 * that note's first sentence follows, so the list carries the caveat too.
 */
export function pageSummary(page: string): string {
  const body = page.slice(page.indexOf('\n', page.indexOf('# ')) + 1).split(/\n## /)[0] ?? '';
  const paragraphs = body.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p !== '');
  const isNote = (p: string) => p.startsWith('>');
  const unquote = (p: string) => p.split('\n').map((l) => l.replace(/^>\s?/, '').trim()).join(' ');
  const main = paragraphs.find((p) => !isNote(p)) ?? '';
  const opening = paragraphs[0] !== undefined && isNote(paragraphs[0]) ? ` ${firstSentence(unquote(paragraphs[0]))}` : '';
  return `${firstSentence(unquote(main))}${opening}`;
}

/** `doc` with the text between its markers replaced by `body`; throws when the markers are missing. */
export function splice(doc: string, body: string, file: string): string {
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  if (b === -1 || e === -1 || e < b) throw new Error(`${file}: connector list markers missing (${BEGIN} … ${END})`);
  return `${doc.slice(0, b + BEGIN.length)}\n${body}\n${doc.slice(e)}`;
}

/** Every list file's expected text, given its current text and the registered connectors. */
export function renderLists(current: ReadonlyMap<string, string>, listed: readonly ListedConnector[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { file, render, head } of LIST_FILES) {
    const doc = current.get(file);
    if (doc === undefined) throw new Error(`${file}: not read`);
    const rows = listed.map(render);
    out.set(file, splice(doc, [...(head ? [head] : []), ...rows].join('\n'), file));
  }
  return out;
}
