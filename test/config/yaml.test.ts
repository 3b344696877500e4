// The YAML subset configuration files use (src/config/yaml.ts): what it reads, typed by the
// YAML 1.2 core schema, and every way it refuses input, with the file and line in the message.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseYaml, resolvePlain } from "../../src/config/yaml.ts";

const parse = (text: string): unknown => parseYaml(text, "c.yaml", {}).value;

test("plain scalars follow the YAML 1.2 core schema (10.3.2)", () => {
  const cases: Array<[string, unknown]> = [
    ["", null], ["~", null], ["null", null], ["Null", null], ["NULL", null],
    ["true", true], ["True", true], ["TRUE", true], ["false", false], ["FALSE", false],
    ["yes", "yes"], ["on", "on"], ["no", "no"], // YAML 1.1 booleans are strings in 1.2
    ["0", 0], ["-12", -12], ["+7", 7], ["007", 7], ["0o17", 15], ["0x1F", 31], ["0xdeadbeef", 3735928559],
    ["1.5", 1.5], ["-.5", -0.5], ["1e3", 1000], ["2.5E-1", 0.25], [".inf", Infinity], ["-.Inf", -Infinity],
    ["1_000", "1_000"], ["0b101", "0b101"], ["1.2.3", "1.2.3"], ["http://localhost:4318", "http://localhost:4318"],
  ];
  for (const [text, expected] of cases) assert.equal(resolvePlain(text), expected, text);
  assert.ok(Number.isNaN(resolvePlain(".nan") as number));
});

test("block mappings and sequences, at the same or a deeper indentation, with comments", () => {
  const doc = parse(`# leading comment
file_format: "1.0" # trailing comment
tracer_provider:
  processors:
  - batch:
      schedule_delay: 5000   # ms
      exporter:
        console:
  -   simple:
        exporter: {console: }
list:
    - a
    -   - b
        - c
    -
      d: 1
hash: "#not a comment"
url: http://x/#fragment
apostrophe: it's plain
`);
  assert.equal(doc, {
    file_format: "1.0",
    tracer_provider: { processors: [{ batch: { schedule_delay: 5000, exporter: { console: null } } }, { simple: { exporter: { console: null } } }] },
    list: ["a", ["b", "c"], { d: 1 }],
    hash: "#not a comment",
    url: "http://x/#fragment",
    apostrophe: "it's plain",
  });
});

test("the line of every key and item is recorded by path", () => {
  const { lines } = parseYaml("a:\n  b:\n    - x\n    - {c: 1,\n       d: [2]}\n", "c.yaml", {});
  assert.equal(Object.fromEntries(lines), { a: 1, "a.b": 2, "a.b[0]": 3, "a.b[1]": 4, "a.b[1].c": 4, "a.b[1].d": 5, "a.b[1].d[0]": 5 });
});

test("flow collections span lines, so a JSON document parses (with line numbers)", () => {
  const json = `{
  "file_format": "1.0",
  "resource": {"attributes": [{"name": "service.name", "value": "api"}],
               "schema_url": null},
  "numbers": [1, -2.5, 1e2, true, false, null],
  "escapes": "tab\\tquote\\" slash\\/ unicode \\u00e9 \\ud83d\\ude00"
}`;
  const { value, lines } = parseYaml(json, "c.json", {});
  assert.equal(value, {
    file_format: "1.0",
    resource: { attributes: [{ name: "service.name", value: "api" }], schema_url: null },
    numbers: [1, -2.5, 100, true, false, null],
    escapes: 'tab\tquote" slash/ unicode é 😀',
  });
  assert.is(lines.get("resource.schema_url"), 4);
  assert.equal(parse("a: [ ]\nb: { }\nc: [a, 'b c', \"d\", {e: f}, [g]]\nd: {x: , y: 1}"), { a: [], b: {}, c: ["a", "b c", "d", { e: "f" }, ["g"]], d: { x: null, y: 1 } });
});

test("quoted scalars: escapes, '' in single quotes, and line folding", () => {
  assert.equal(parse(`a: 'it''s'
b: "x\\ny"
c: "one
  two

  three"
d: 'p
   q'
e: "joined\\
   here"
f: "\\x41\\U0001F600"
"quoted key": 1
'other: key': 2`), { a: "it's", b: "x\ny", c: "one two\nthree", d: "p q", e: "joinedhere", f: "A😀", "quoted key": 1, "other: key": 2 });
});

test("literal and folded block scalars with chomping and indentation indicators", () => {
  const doc = parse(`literal: |
  line 1
    indented
  line 3

strip: |-
  x

keep: |+
  x

folded: >
  a
  b

  c
    more
  d
explicit: |2
    two extra
  base
after: 1
empty: |
next: 2
`) as Record<string, unknown>;
  assert.is(doc.literal, "line 1\n  indented\nline 3\n");
  assert.is(doc.strip, "x");
  assert.is(doc.keep, "x\n\n");
  assert.is(doc.folded, "a b\nc\n  more\nd\n");
  assert.is(doc.explicit, "  two extra\nbase\n");
  assert.is(doc.after, 1);
  assert.is(doc.empty, "");
  assert.is(doc.next, 2);
});

test("documents: empty, a leading ---, a closing ..., Windows line ends and a BOM", () => {
  assert.is(parse(""), null);
  assert.is(parse("# only a comment\n"), null);
  assert.equal(parse("---\na: 1\n...\n"), { a: 1 });
  assert.equal(parse("\uFEFFa: 1\r\nb:\r\n  - 2\r\n"), { a: 1, b: [2] });
  assert.equal(parse("__proto__: 1"), JSON.parse('{"__proto__": 1}'));
  assert.is(Object.getPrototypeOf(parse("__proto__: {polluted: 1}")), Object.prototype);
});

/** Each input outside the subset, the line its error names, and a part of the message. */
const ERRORS: Array<[string, number, string]> = [
  ["a: 1\nb: &anchor 2", 2, "anchors, aliases, tags"],
  ["a: 1\nb: *alias", 2, "anchors, aliases, tags"],
  ["a: !!str 1", 1, "anchors, aliases, tags"],
  ["&a key: 1", 1, "a plain key"],
  ["? complex\n: key", 1, "a plain key"],
  ["a:\n  <<: {b: 1}", 2, "merge keys"],
  ["%YAML 1.2\n---\na: 1", 1, "directives"],
  ["a: 1\n---\nb: 2", 2, "one document per file"],
  ["--- a: 1", 1, 'nothing after "---"'],
  ["a:\n\tb: 1", 2, "tabs"],
  ["a: b: c", 1, "one value per line"],
  ["a: 1\nb: 2\n  c: 3", 3, "a key at column 1"],
  ["a: plain\n  continued", 2, "more indented"],
  ["a:\n  - 1\n   - 2", 3, '"- " at column 3'],
  ["a:\n  - 1\n  b: 2", 3, "a key at column 1"],
  ["a:\n  b: 1\n  - 2", 3, "a key at column 3, not a sequence item"],
  ["a:\n  b: 1\n  - c: 2", 3, "a key at column 3, not a sequence item"],
  ["a: 1\njust text", 2, '"key: value"'],
  ["a: 1\na: 2", 2, 'each key once, found "a" again'],
  ["a: {b: 1, b: 2}", 1, 'each key once, found "b" again'],
  ["a: [1, 2\nb: 3", 2, '"," or "]" in the flow collection opened on line 1'],
  ["a: {b: 1\n", 2, 'the flow collection opened on line 1, found the end of the file'],
  ["a: {b 1}", 1, '":" after the key "b 1"'],
  ["a: [1,, 2]", 1, "a value in the flow collection"],
  ["a: [1] trailing", 1, "the end of the line after the value"],
  ["a: 'open\nb: 2", 1, "the closing ' of the string opened on this line"],
  ['a: "bad \\q escape"', 1, 'a valid escape in the double-quoted string, found "\\q"'],
  ['a: "\\u12"', 1, "a valid escape"],
  ["a: |x\n  text", 1, "a block scalar header"],
  ["a: |+-\n  text", 1, "a block scalar header"],
  ["a: 1\nb: ${A:?required}", 2, "a valid substitution"],
];

for (const [input, line, part] of ERRORS) {
  test(`refused with its line: ${JSON.stringify(input)}`, () => {
    try {
      parseYaml(input, "dir/otel.yaml", {});
    } catch (e) {
      assert.instance(e, TypeError);
      const message = (e as Error).message;
      assert.ok(message.startsWith(`Cannot init: dir/otel.yaml:${line}: expected `), message);
      assert.ok(message.includes(part), message);
      return;
    }
    assert.unreachable("no error");
  });
}

test.run();
