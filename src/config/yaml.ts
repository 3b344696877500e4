/**
 * A YAML parser for the part of YAML 1.2 that configuration files use, so the SDK reads
 * `OTEL_CONFIG_FILE` without a dependency: block mappings and sequences (including the compact
 * `- key: value` form), plain, single- and double-quoted scalars (quoted ones may span lines),
 * comments, flow collections `[...]` / `{...}` over several lines (so JSON documents parse too),
 * and literal `|` / folded `>` block scalars with chomping and indentation indicators. Plain
 * scalars are typed by the YAML 1.2 core schema (spec: configuration/data-model.md, "YAML file
 * format") AFTER environment variable substitution, so `${PORT}` can be an integer and a
 * variable's value can never inject structure. Anything else — anchors and aliases, tags,
 * complex keys, several documents, multi-line plain scalars, tabs in indentation — is refused
 * with the file, the line and what was expected.
 */
import type { EnvRecord } from "../common/env.ts";
import { substituteEnv } from "./substitute.ts";

/** A parsed document: its value, and the line (1-based) of each key and item by path (`a.b[0].c`). */
export interface ParsedYaml {
  /** The document's value (null for an empty document). */
  readonly value: unknown;
  /** Where each mapping key and sequence item is, for messages about it. */
  readonly lines: ReadonlyMap<string, number>;
}

/**
 * Parses `text` (the file `file`, named in errors), substituting `${VAR}` references in scalar
 * values from `env`.
 *
 * @throws TypeError `Cannot init: <file>:<line>: <what was expected>` for anything outside the subset.
 */
export function parseYaml(text: string, file: string, env: EnvRecord | undefined): ParsedYaml {
  return new Parser(text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"), file, env).document();
}

/** A plain scalar's value by the YAML 1.2 core schema (YAML 1.2.2, 10.3.2 "Tag Resolution"). */
export function resolvePlain(s: string): unknown {
  if (/^(?:~|null|Null|NULL|)$/.test(s)) return null;
  if (/^(?:true|True|TRUE)$/.test(s)) return true;
  if (/^(?:false|False|FALSE)$/.test(s)) return false;
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?$/.test(s)) return Number(s);
  const inf = /^([-+]?)\.(?:inf|Inf|INF)$/.exec(s);
  if (inf) return inf[1] === "-" ? -Infinity : Infinity;
  return /^\.(?:nan|NaN|NAN)$/.test(s) ? NaN : s;
}

const ESCAPES: Readonly<Record<string, string>> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029",
};

const isItem = (body: string): boolean => body === "-" || body.startsWith("- ");
/** `---` or `...` at the start of a line: the document ends there. */
const isMarker = (line: { indent: number; body: string }): boolean => line.indent === 0 && /^(?:---|\.\.\.)(?:\s|$)/.test(line.body);

/** Sets `key` on `target`, `__proto__` included (as an own property, never the prototype). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `s` without its comment: a `#` at the start or after white space, outside quotes. */
function stripComment(s: string): string {
  let quote = "";
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (quote) {
      if (c === "\\" && quote === '"') k++;
      else if (c === quote) {
        if (quote === "'" && s[k + 1] === "'") k++;
        else quote = "";
      }
    } else if (c === "#" && (k === 0 || s[k - 1] === " " || s[k - 1] === "\t")) return s.slice(0, k);
    // A quote opens a quoted scalar only where a token starts (`it's` is plain).
    else if ((c === '"' || c === "'") && (k === 0 || " \t:,[{-".includes(s[k - 1]!))) quote = c;
  }
  return s;
}

class Parser {
  readonly #text: string;
  readonly #file: string;
  readonly #env: EnvRecord | undefined;
  readonly #raw: string[];
  /** Offset of each line in the text. */
  readonly #starts: number[] = [];
  /** The column a line's content starts at, where a compact `- key: value` moved it. */
  readonly #cols: Array<number | undefined> = [];
  readonly #lines = new Map<string, number>();
  /** The next line to read. */
  #i = 0;
  /** The read position inside flow collections and quoted scalars. */
  #pos = 0;

  constructor(text: string, file: string, env: EnvRecord | undefined) {
    this.#text = text;
    this.#file = file;
    this.#env = env;
    this.#raw = text.split("\n");
    let offset = 0;
    for (const line of this.#raw) {
      this.#starts.push(offset);
      offset += line.length + 1;
    }
  }

  document(): ParsedYaml {
    let k = this.#next();
    if (k >= 0 && this.#content(k)!.body.startsWith("%")) this.#fail(k, "a document without directives (%YAML, %TAG are not supported)");
    if (k >= 0 && /^---(?:\s|$)/.test(this.#content(k)!.body)) {
      if (this.#content(k)!.body !== "---") this.#fail(k, 'nothing after "---" on its line');
      this.#i = k + 1;
      k = this.#next();
    }
    const value = k < 0 ? null : this.#node(this.#content(k)!.indent, "");
    k = this.#next();
    if (k >= 0 && this.#content(k)!.body === "...") {
      this.#i = k + 1;
      k = this.#next();
    }
    if (k >= 0) this.#fail(k, /^---(?:\s|$)/.test(this.#content(k)!.body) ? "one document per file" : "the end of the document (check the indentation)");
    return { value, lines: this.#lines };
  }

  #fail(line: number, expected: string): never {
    throw new TypeError(`Cannot init: ${this.#file}:${line + 1}: expected ${expected}`);
  }

  /** Indentation and content (without comment) of line `k`; undefined when blank or a comment. */
  #content(k: number): { indent: number; body: string } | undefined {
    const line = this.#raw[k]!;
    let indent = this.#cols[k] ?? 0;
    if (this.#cols[k] === undefined) while (line[indent] === " ") indent++;
    const body = stripComment(line.slice(indent)).trimEnd();
    if (body.trimStart() === "") return undefined;
    if (body[0] === "\t") this.#fail(k, "indentation with spaces (YAML does not allow tabs there)");
    return { indent, body };
  }

  /** The next line with content (from the current one), or -1 at the end. */
  #next(): number {
    while (this.#i < this.#raw.length && !this.#content(this.#i)) this.#i++;
    return this.#i < this.#raw.length ? this.#i : -1;
  }

  #lineOf(pos: number): number {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The node starting on the current line, whose content is at column `indent`. */
  #node(indent: number, path: string): unknown {
    const k = this.#i;
    const { body } = this.#content(k)!;
    if (isItem(body)) return this.#sequence(indent, path);
    if (this.#keyEnd(body) >= 0) return this.#mapping(indent, path);
    return this.#value(k, indent - 1, indent, body, path, false);
  }

  /** Index of the `:` that ends the key of a `key: value` line, or -1 when `body` is no such line. */
  #keyEnd(body: string): number {
    let k = 0;
    const q = body[0];
    if (q === '"' || q === "'") {
      for (k = 1; k < body.length && body[k] !== q; k++) {
        if (body[k] === "\\" && q === '"') k++;
        else if (q === "'" && body[k] === "'" && body[k + 1] === "'") k++;
      }
      for (k++; body[k] === " "; k++);
      return body[k] === ":" && (k + 1 === body.length || body[k + 1] === " ") ? k : -1;
    }
    if (q === "[" || q === "{") return -1;
    for (; k < body.length; k++) if (body[k] === ":" && (k + 1 === body.length || body[k + 1] === " " || body[k + 1] === "\t")) return k;
    return -1;
  }

  #mapping(indent: number, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let k = this.#next(); k >= 0; k = this.#next()) {
      const line = this.#content(k)!;
      if (line.indent < indent || isMarker(line)) break;
      if (line.indent > indent) this.#fail(k, `a key at column ${indent + 1} (a value cannot continue on a more indented line: quote it, or use | or >)`);
      const end = isItem(line.body) ? -1 : this.#keyEnd(line.body);
      if (end < 0) this.#fail(k, isItem(line.body) ? `a key at column ${indent + 1}, not a sequence item` : '"key: value"');
      const rawKey = line.body.slice(0, end).trimEnd();
      let key = rawKey;
      if (rawKey[0] === '"' || rawKey[0] === "'") {
        this.#pos = this.#starts[k]! + indent;
        key = this.#quoted();
      } else if (/^[?&*!|>%@`]|^<<$/.test(rawKey)) this.#fail(k, `a plain key (complex keys, anchors, aliases, tags and merge keys are not supported), found ${JSON.stringify(rawKey)}`);
      if (Object.prototype.hasOwnProperty.call(out, key)) this.#fail(k, `each key once, found ${JSON.stringify(key)} again`);
      const keyPath = path ? `${path}.${key}` : key;
      this.#lines.set(keyPath, k + 1);
      const after = line.body.slice(end + 1);
      const rest = after.trimStart();
      define(out, key, this.#value(k, indent, indent + end + 1 + after.length - rest.length, rest, keyPath, true));
    }
    return out;
  }

  #sequence(indent: number, path: string): unknown[] {
    const out: unknown[] = [];
    for (let k = this.#next(); k >= 0; k = this.#next()) {
      const line = this.#content(k)!;
      if (line.indent < indent || (line.indent === indent && !isItem(line.body)) || isMarker(line)) break;
      if (line.indent > indent) this.#fail(k, `"- " at column ${indent + 1} (a value cannot continue on a more indented line: quote it, or use | or >)`);
      const itemPath = `${path}[${out.length}]`;
      this.#lines.set(itemPath, k + 1);
      const after = line.body.slice(1);
      const rest = after.trimStart();
      const col = indent + 1 + after.length - rest.length;
      if (rest !== "" && (isItem(rest) || this.#keyEnd(rest) >= 0)) {
        // A compact nested sequence or mapping: its content starts at `col` of this line.
        this.#cols[k] = col;
        this.#i = k;
        out.push(this.#node(col, itemPath));
      } else out.push(this.#value(k, indent, col, rest, itemPath, false));
    }
    return out;
  }

  /**
   * The value after `key:` or `- ` on line `k` (`rest`, at column `col`), or on the following
   * lines when `rest` is empty. `owner` is the indentation of the key or item.
   */
  #value(k: number, owner: number, col: number, rest: string, path: string, inMapping: boolean): unknown {
    this.#i = k + 1;
    if (rest === "") {
      const n = this.#next();
      if (n < 0) return null;
      const line = this.#content(n)!;
      // A mapping's value may be a sequence at the mapping's own indentation.
      if (line.indent > owner || (inMapping && line.indent === owner && isItem(line.body))) return this.#node(line.indent, path);
      return null;
    }
    const c = rest[0]!;
    if (c === "|" || c === ">") return this.#blockScalar(k, owner, rest);
    if (c === "[" || c === "{" || c === '"' || c === "'") {
      this.#pos = this.#starts[k]! + col;
      const value = this.#flowValue(path);
      const t = this.#text;
      while (t[this.#pos] === " " || t[this.#pos] === "\t") this.#pos++;
      const end = this.#lineOf(this.#pos);
      if (this.#pos < t.length && t[this.#pos] !== "\n" && t[this.#pos] !== "#") {
        this.#fail(end, `the end of the line after the value, found ${JSON.stringify(t.slice(this.#pos, t.indexOf("\n", this.#pos) >>> 0).slice(0, 24))}`);
      }
      this.#i = end + 1;
      return value;
    }
    if (/^[?:](?:\s|$)/.test(rest)) this.#fail(k, "a plain key or value (complex keys with ? and : are not supported)");
    if ("&*!%@`".includes(c)) this.#fail(k, `a value (anchors, aliases, tags and reserved indicators are not supported), found ${JSON.stringify(rest.slice(0, 24))}`);
    if (this.#keyEnd(rest) >= 0) this.#fail(k, `one value per line, found ${JSON.stringify(rest.slice(0, 24))} (a nested mapping goes on the next lines, indented; quote a value that contains ": ")`);
    return this.#plain(rest, k);
  }

  /** A plain scalar: substituted, then typed (spec: "Node types MUST be interpreted after environment variable substitution"). */
  #plain(text: string, k: number): unknown {
    return resolvePlain(this.#substitute(text, k));
  }

  #substitute(text: string, k: number): string {
    return substituteEnv(text, this.#env, (reference) => this.#fail(k, `a valid substitution \${NAME}, \${env:NAME} or \${NAME:-default}, found ${reference} (write $$ for a literal $)`));
  }

  /** A `|` or `>` block scalar whose header is on line `k`; always a string. */
  #blockScalar(k: number, owner: number, header: string): string {
    const m = /^([|>])([-+]?)([1-9]?)([-+]?)$/.exec(header);
    if (!m || (m[2] && m[4])) this.#fail(k, `a block scalar header: | or >, then an optional - or + and indentation digit, found ${JSON.stringify(header)}`);
    const chomp = m[2] || m[4];
    let indent = m[3] ? owner + Number(m[3]) : -1;
    const lines: string[] = [];
    let j = k + 1;
    for (; j < this.#raw.length; j++) {
      const line = this.#raw[j]!;
      let spaces = 0;
      while (line[spaces] === " ") spaces++;
      if (line.trim() === "") {
        lines.push("");
        continue;
      }
      if (indent < 0) {
        if (spaces <= owner) break;
        indent = spaces;
      }
      if (spaces < indent) break;
      lines.push(line.slice(indent));
    }
    this.#i = j;
    let trailing = 0;
    while (trailing < lines.length && lines[lines.length - 1 - trailing] === "") trailing++;
    const body = lines.slice(0, lines.length - trailing);
    let text = m[1] === "|" ? body.join("\n") : fold(body);
    if (body.length === 0) text = chomp === "+" ? "\n".repeat(trailing) : "";
    else if (chomp === "+") text += "\n".repeat(trailing + 1);
    else if (chomp !== "-") text += "\n";
    return this.#substitute(text, k);
  }

  /** White space, line breaks and comments between the tokens of a flow collection. */
  #skip(): void {
    const t = this.#text;
    for (;;) {
      const c = t[this.#pos];
      if (c === " " || c === "\t" || c === "\n") this.#pos++;
      else if (c === "#" && " \t\n".includes(t[this.#pos - 1] ?? "\n")) while (this.#pos < t.length && t[this.#pos] !== "\n") this.#pos++;
      else return;
    }
  }

  #expect(what: string, opened: number): never {
    const t = this.#text;
    const found = this.#pos < t.length ? JSON.stringify(t[this.#pos]) : "the end of the file";
    this.#fail(this.#lineOf(this.#pos), `${what} in the flow collection opened on line ${opened + 1}, found ${found}`);
  }

  /** A flow collection or a quoted scalar at the read position (the JSON-compatible part of YAML). */
  #flowValue(path: string): unknown {
    this.#skip();
    const t = this.#text;
    const c = t[this.#pos];
    const line = this.#lineOf(this.#pos);
    if (c === "[" || c === "{") {
      const close = c === "[" ? "]" : "}";
      const out: unknown[] | Record<string, unknown> = c === "[" ? [] : {};
      this.#pos++;
      for (;;) {
        this.#skip();
        if (t[this.#pos] === close) break;
        const at = this.#lineOf(this.#pos);
        if (Array.isArray(out)) {
          const itemPath = `${path}[${out.length}]`;
          this.#lines.set(itemPath, at + 1);
          out.push(this.#flowValue(itemPath));
        } else {
          const key = this.#flowKey(line);
          if (Object.prototype.hasOwnProperty.call(out, key)) this.#fail(at, `each key once, found ${JSON.stringify(key)} again`);
          this.#skip();
          if (t[this.#pos] !== ":") this.#expect(`":" after the key ${JSON.stringify(key)}`, line);
          this.#pos++;
          this.#skip();
          const keyPath = path ? `${path}.${key}` : key;
          this.#lines.set(keyPath, at + 1);
          define(out, key, t[this.#pos] === "," || t[this.#pos] === "}" ? null : this.#flowValue(keyPath));
        }
        this.#skip();
        if (t[this.#pos] === ",") this.#pos++;
        else if (t[this.#pos] !== close) this.#expect(`"," or "${close}"`, line);
      }
      this.#pos++;
      return out;
    }
    if (c === '"' || c === "'") return this.#substitute(this.#quoted(), line);
    if (c === undefined || ",]}&*!|>%@`".includes(c)) this.#expect("a value", line);
    const start = this.#scanPlain();
    return this.#plain(t.slice(start, this.#pos).trim(), line);
  }

  /**
   * Moves past a plain scalar inside a flow collection; returns where it started. A `${...}`
   * reference is read whole, so `[${PORT}]` works although `{` and `}` are flow indicators.
   */
  #scanPlain(): number {
    const t = this.#text;
    const start = this.#pos;
    while (this.#pos < t.length && !this.#plainEnds()) {
      const close = t[this.#pos] === "$" && t[this.#pos + 1] === "{" ? t.indexOf("}", this.#pos) : -1;
      this.#pos = close > 0 && !t.slice(this.#pos, close).includes("\n") ? close + 1 : this.#pos + 1;
    }
    return start;
  }

  /** True where a plain scalar inside a flow collection ends. */
  #plainEnds(): boolean {
    const t = this.#text;
    const c = t[this.#pos]!;
    return ",[]{}\n".includes(c) || (c === ":" && " \t\n,]}".includes(t[this.#pos + 1] ?? "\n")) || (c === "#" && " \t".includes(t[this.#pos - 1]!));
  }

  #flowKey(opened: number): string {
    const t = this.#text;
    if (t[this.#pos] === '"' || t[this.#pos] === "'") return this.#quoted();
    const start = this.#scanPlain();
    const key = t.slice(start, this.#pos).trim();
    if (key === "" || /^[?&*!|>%@`]/.test(key)) this.#expect("a key", opened);
    return key;
  }

  /** A single- or double-quoted scalar at the read position; line breaks fold as YAML says (7.3). */
  #quoted(): string {
    const t = this.#text;
    const q = t[this.#pos];
    const opened = this.#lineOf(this.#pos);
    let out = "";
    let k = this.#pos + 1;
    for (;;) {
      if (k >= t.length) this.#fail(opened, `the closing ${q} of the string opened on this line`);
      const c = t[k]!;
      if (c === q) {
        if (q === "'" && t[k + 1] === "'") {
          out += "'";
          k += 2;
          continue;
        }
        break;
      }
      if (c === "\\" && q === '"') {
        const e = t[k + 1] ?? "";
        if (e === "\n") {
          // An escaped line break joins the lines without a space.
          for (k += 2; t[k] === " " || t[k] === "\t"; k++);
          continue;
        }
        if (ESCAPES[e] !== undefined) {
          out += ESCAPES[e];
          k += 2;
          continue;
        }
        const length = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
        const hex = t.slice(k + 2, k + 2 + length);
        const code = parseInt(hex, 16);
        if (length === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length || code > 0x10ffff) this.#fail(this.#lineOf(k), `a valid escape in the double-quoted string, found "\\${e}${hex}"`);
        out += String.fromCodePoint(code);
        k += 2 + length;
        continue;
      }
      if (c === "\n") {
        // Folding: trailing white space goes; one break is a space, n empty lines are n breaks.
        out = out.replace(/[ \t]+$/, "");
        let breaks = 0;
        for (k++; ; k++) {
          while (t[k] === " " || t[k] === "\t") k++;
          if (t[k] !== "\n") break;
          breaks++;
        }
        out += breaks ? "\n".repeat(breaks) : " ";
        continue;
      }
      out += c;
      k++;
    }
    this.#pos = k + 1;
    return out;
  }
}

/** The lines of a folded (`>`) block scalar joined as YAML folds them (8.1.3). */
function fold(lines: string[]): string {
  let out = "";
  let breaks = 0;
  let started = false;
  let previousMore = false;
  for (const line of lines) {
    if (line === "") {
      breaks++;
      continue;
    }
    // More-indented lines keep their line breaks.
    const more = line[0] === " " || line[0] === "\t";
    if (!started) out += "\n".repeat(breaks);
    else if (!more && !previousMore) out += breaks ? "\n".repeat(breaks) : " ";
    else out += "\n".repeat(breaks + 1);
    out += line;
    started = true;
    previousMore = more;
    breaks = 0;
  }
  return out;
}
