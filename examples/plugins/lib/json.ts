/**
 * A small JSON reader and writer for AssemblyScript guests. The host ABI of cert-deployer
 * plugins is JSON in, JSON out (docs/plugins.md), and AssemblyScript has no JSON of its own;
 * this covers exactly what the ABI uses (objects, arrays, strings with escapes, numbers,
 * booleans, null) so a plugin needs no extra dependency or compiler transform.
 */

export const NULL: i32 = 0;
export const BOOL: i32 = 1;
export const NUM: i32 = 2;
export const STR: i32 = 3;
export const ARR: i32 = 4;
export const OBJ: i32 = 5;

/** One JSON value. Fields not matching `kind` hold their zero value. */
export class JV {
  kind: i32 = NULL;
  b: bool = false;
  n: f64 = 0;
  s: string = '';
  items: Array<JV> = [];
  keys: Array<string> = [];

  /** The member `key` of an object, or null. */
  get(key: string): JV | null {
    if (this.kind != OBJ) return null;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] == key) return this.items[i];
    return null;
  }
  /** The string member `key`, or `fallback`. */
  str(key: string, fallback: string = ''): string {
    const v = this.get(key);
    return v != null && v.kind == STR ? v.s : fallback;
  }
  /** The numeric member `key`, or `fallback`. */
  num(key: string, fallback: f64 = 0): f64 {
    const v = this.get(key);
    return v != null && v.kind == NUM ? v.n : fallback;
  }
  /** The boolean member `key`, or `fallback`. */
  bool(key: string, fallback: bool = false): bool {
    const v = this.get(key);
    return v != null && v.kind == BOOL ? v.b : fallback;
  }
  /** The string elements of the array member `key` (non-strings skipped). */
  strings(key: string): Array<string> {
    const out = new Array<string>();
    const v = this.get(key);
    if (v == null || v.kind != ARR) return out;
    for (let i = 0; i < v.items.length; i++) if (v.items[i].kind == STR) out.push(v.items[i].s);
    return out;
  }
}

class Parser {
  i: i32 = 0;
  constructor(public t: string) {}

  ws(): void {
    while (this.i < this.t.length) {
      const c = this.t.charCodeAt(this.i);
      if (c == 32 || c == 9 || c == 10 || c == 13) this.i++;
      else break;
    }
  }

  value(): JV {
    this.ws();
    const v = new JV();
    const c = this.t.charCodeAt(this.i);
    if (c == 123) {
      // {
      v.kind = OBJ;
      this.i++;
      this.ws();
      if (this.t.charCodeAt(this.i) == 125) {
        this.i++;
        return v;
      }
      while (true) {
        this.ws();
        const k = this.string();
        this.ws();
        this.i++; // :
        v.keys.push(k);
        v.items.push(this.value());
        this.ws();
        const d = this.t.charCodeAt(this.i++);
        if (d == 125) break; // }
      }
    } else if (c == 91) {
      // [
      v.kind = ARR;
      this.i++;
      this.ws();
      if (this.t.charCodeAt(this.i) == 93) {
        this.i++;
        return v;
      }
      while (true) {
        v.items.push(this.value());
        this.ws();
        const d = this.t.charCodeAt(this.i++);
        if (d == 93) break; // ]
      }
    } else if (c == 34) {
      v.kind = STR;
      v.s = this.string();
    } else if (c == 116) {
      v.kind = BOOL;
      v.b = true;
      this.i += 4;
    } else if (c == 102) {
      v.kind = BOOL;
      this.i += 5;
    } else if (c == 110) {
      this.i += 4;
    } else {
      v.kind = NUM;
      const start = this.i;
      while (this.i < this.t.length) {
        const e = this.t.charCodeAt(this.i);
        if ((e >= 48 && e <= 57) || e == 45 || e == 43 || e == 46 || e == 101 || e == 69) this.i++;
        else break;
      }
      v.n = parseFloat(this.t.substring(start, this.i));
    }
    return v;
  }

  string(): string {
    this.i++; // opening quote
    let out = '';
    let start = this.i;
    while (this.i < this.t.length) {
      const c = this.t.charCodeAt(this.i);
      if (c == 34) break;
      if (c == 92) {
        out += this.t.substring(start, this.i);
        const e = this.t.charCodeAt(this.i + 1);
        if (e == 110) out += '\n';
        else if (e == 116) out += '\t';
        else if (e == 114) out += '\r';
        else if (e == 98) out += '\b';
        else if (e == 102) out += '\f';
        else if (e == 117) {
          out += String.fromCharCode(<i32>parseInt(this.t.substring(this.i + 2, this.i + 6), 16));
          this.i += 4;
        } else out += String.fromCharCode(e);
        this.i += 2;
        start = this.i;
        continue;
      }
      this.i++;
    }
    out += this.t.substring(start, this.i);
    this.i++; // closing quote
    return out;
  }
}

/** Parses `text`. The host only ever sends well-formed JSON, so there is no error recovery. */
export function parse(text: string): JV {
  return new Parser(text).value();
}

const HEX = '0123456789abcdef';

/** `s` as a JSON string literal, quotes included. */
export function quote(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 34 || c == 92 || c < 32) {
      out += s.substring(start, i);
      if (c == 34) out += '\\"';
      else if (c == 92) out += '\\\\';
      else if (c == 10) out += '\\n';
      else if (c == 13) out += '\\r';
      else if (c == 9) out += '\\t';
      else out += '\\u00' + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
      start = i + 1;
    }
  }
  return out + s.substring(start) + '"';
}

/** A JSON array of strings. */
export function quoteAll(items: Array<string>): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += (i > 0 ? ',' : '') + quote(items[i]);
  return out + ']';
}
