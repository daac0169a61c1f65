/**
 * A small, strict, namespace-aware XML reader and text escaper for WS-Management envelopes.
 * The project has no XML dependency and the envelopes are a tiny subset of XML, so this reads
 * elements, attributes, namespaces, text, CDATA and the five entities plus character
 * references, and refuses what SOAP forbids (DOCTYPE, so no entity expansion of any kind).
 * Malformed input is a thrown `XmlError`, never a partial tree.
 */

/** One element: namespace URI (null when unqualified), local name, attributes, children, own text. */
import { ConnectorError, ErrorCode, hasCode } from '@cert-deployer/connector-sdk';
export interface XmlElement {
  readonly ns: string | null;
  readonly name: string;
  /** Attributes by local name (WS-Man attributes are unqualified or unambiguous). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The concatenated text directly inside this element (not its children's). */
  readonly text: string;
}

/** The input is not well-formed XML (or uses a construct this reader refuses). */
export class XmlError extends ConnectorError {
  constructor(message: string) {
    super(message, { retryable: true });
    this.name = 'XmlError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === 'XmlError' && hasCode(value, ErrorCode.Connector);
  }
}

/** Envelopes are kilobytes; refuse anything absurd before scanning it. */
const MAX_XML_CHARS = 4 * 1024 * 1024;
const MAX_DEPTH = 64;
const NAME = /^[A-Za-z_][-A-Za-z0-9_.]*(:[A-Za-z_][-A-Za-z0-9_.]*)?$/;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  return raw.replace(/&([^;&<]*);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new XmlError('bare "&" in text');
    const named = ENTITIES[ref];
    if (named !== undefined) return named;
    const hex = /^#x([0-9A-Fa-f]{1,6})$/.exec(ref);
    const dec = /^#([0-9]{1,7})$/.exec(ref);
    const code = hex ? parseInt(hex[1] as string, 16) : dec ? parseInt(dec[1] as string, 10) : NaN;
    if (!Number.isInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) throw new XmlError(`bad reference ${m}`);
    return String.fromCodePoint(code);
  });
}

interface Open {
  readonly qname: string;
  readonly scope: ReadonlyMap<string, string>;
  readonly rawAttrs: readonly (readonly [string, string])[];
  readonly children: XmlElement[];
  text: string;
}

function resolve(qname: string, scope: ReadonlyMap<string, string>, isAttr: boolean): { ns: string | null; name: string } {
  const at = qname.indexOf(':');
  if (at < 0) return { ns: isAttr ? null : (scope.get('') ?? null), name: qname };
  const prefix = qname.slice(0, at);
  if (prefix === 'xml') return { ns: 'http://www.w3.org/XML/1998/namespace', name: qname.slice(at + 1) };
  const ns = scope.get(prefix);
  if (ns === undefined) throw new XmlError(`undeclared namespace prefix ${JSON.stringify(prefix)}`);
  return { ns, name: qname.slice(at + 1) };
}

function parseAttributes(source: string): (readonly [string, string])[] {
  const out: (readonly [string, string])[] = [];
  const re = /\s*([^\s=/>]+)\s*=\s*("([^"<]*)"|'([^'<]*)')/y;
  let pos = 0;
  while (pos < source.length) {
    if (/^\s*$/.test(source.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(source);
    if (m === null) throw new XmlError(`malformed attributes near ${JSON.stringify(source.slice(pos, pos + 40))}`);
    const name = m[1] as string;
    if (!NAME.test(name)) throw new XmlError(`bad attribute name ${JSON.stringify(name)}`);
    if (out.some(([n]) => n === name)) throw new XmlError(`duplicate attribute ${name}`);
    out.push([name, decodeEntities(m[3] ?? m[4] ?? '')]);
    pos = re.lastIndex;
  }
  return out;
}

/** Index of the `>` that ends the tag starting at `lt`, skipping quoted attribute values; -1 if none. */
function tagEnd(src: string, lt: number): number {
  let quote = '';
  for (let i = lt + 1; i < src.length; i++) {
    const c = src[i];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i;
    } else if (c === '<') {
      return -1;
    }
  }
  return -1;
}

function close(open: Open): XmlElement {
  const { ns, name } = resolve(open.qname, open.scope, false);
  const attrs: Record<string, string> = {};
  for (const [qname, value] of open.rawAttrs) {
    if (qname === 'xmlns' || qname.startsWith('xmlns:')) continue;
    attrs[resolve(qname, open.scope, true).name] = value;
  }
  return { ns, name, attrs, children: open.children, text: open.text };
}

/** Parses one XML document into its root element. */
export function parseXml(input: string): XmlElement {
  if (input.length > MAX_XML_CHARS) throw new XmlError(`document larger than ${MAX_XML_CHARS} characters`);
  const src = input.replace(/^\uFEFF/, '');
  const stack: Open[] = [];
  let root: XmlElement | undefined;
  let pos = 0;
  const scopeOf = (): ReadonlyMap<string, string> => stack.at(-1)?.scope ?? new Map();
  while (pos < src.length) {
    const lt = src.indexOf('<', pos);
    const text = src.slice(pos, lt < 0 ? src.length : lt);
    const top = stack.at(-1);
    if (top) top.text += decodeEntities(text);
    else if (text.trim() !== '') throw new XmlError('text outside the root element');
    if (lt < 0) break;
    if (src.startsWith('<?', lt)) {
      const end = src.indexOf('?>', lt);
      if (end < 0) throw new XmlError('unterminated processing instruction');
      pos = end + 2;
    } else if (src.startsWith('<!--', lt)) {
      const end = src.indexOf('-->', lt + 4);
      if (end < 0) throw new XmlError('unterminated comment');
      pos = end + 3;
    } else if (src.startsWith('<![CDATA[', lt)) {
      const end = src.indexOf(']]>', lt);
      if (end < 0 || !top) throw new XmlError('CDATA outside an element or unterminated');
      top.text += src.slice(lt + 9, end);
      pos = end + 3;
    } else if (src.startsWith('<!', lt)) {
      throw new XmlError('DOCTYPE and other declarations are not allowed');
    } else if (src.startsWith('</', lt)) {
      const end = src.indexOf('>', lt);
      const qname = end < 0 ? '' : src.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open || open.qname !== qname) throw new XmlError(`unexpected closing tag </${qname}>`);
      const el = close(open);
      const parent = stack.at(-1);
      if (parent) parent.children.push(el);
      else root = el;
      pos = end + 1;
    } else {
      const end = tagEnd(src, lt);
      if (end < 0) throw new XmlError('unterminated tag');
      if (root !== undefined) throw new XmlError('more than one root element');
      const selfClosing = src[end - 1] === '/';
      const inner = src.slice(lt + 1, selfClosing ? end - 1 : end);
      const m = /^([^\s/>]+)([\s\S]*)$/.exec(inner);
      if (!m || !NAME.test(m[1] as string)) throw new XmlError(`bad tag <${inner.slice(0, 40)}>`);
      const rawAttrs = parseAttributes(m[2] as string);
      const scope = new Map(scopeOf());
      for (const [n, v] of rawAttrs) {
        if (n === 'xmlns') scope.set('', v);
        else if (n.startsWith('xmlns:')) scope.set(n.slice(6), v);
      }
      const open: Open = { qname: m[1] as string, scope, rawAttrs, children: [], text: '' };
      if (stack.length >= MAX_DEPTH) throw new XmlError('elements nested too deeply');
      if (selfClosing) {
        const el = close(open);
        const parent = stack.at(-1);
        if (parent) parent.children.push(el);
        else root = el;
      } else {
        stack.push(open);
      }
      pos = end + 1;
    }
  }
  if (stack.length > 0) throw new XmlError(`unclosed element <${stack.at(-1)?.qname}>`);
  if (root === undefined) throw new XmlError('no root element');
  return root;
}

/** The direct children of `el` with namespace `ns` and local name `name`. */
export function childrenOf(el: XmlElement, ns: string, name: string): XmlElement[] {
  return el.children.filter((c) => c.ns === ns && c.name === name);
}

/** The first direct child of `el` with namespace `ns` and local name `name`. */
export function childOf(el: XmlElement, ns: string, name: string): XmlElement | undefined {
  return el.children.find((c) => c.ns === ns && c.name === name);
}

/** Every descendant (depth first) with namespace `ns` and local name `name`. */
export function descendantsOf(el: XmlElement, ns: string, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.ns === ns && c.name === name) out.push(c);
    out.push(...descendantsOf(c, ns, name));
  }
  return out;
}

/** Escapes text for element content or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);
}
