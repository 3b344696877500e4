// Environment variable substitution in configuration files, case by case as the spec's table
// gives them (configuration/data-model.md, "Environment variable substitution"): substitution
// happens before typing, only in values, never recursively, `$$` escapes, and an invalid
// reference is an error with its line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseYaml } from "../../src/config/yaml.ts";
import { substituteEnv } from "../../src/config/substitute.ts";

const ENV = {
  STRING_VALUE: "value",
  BOOL_VALUE: "true",
  INT_VALUE: "1",
  FLOAT_VALUE: "1.1",
  HEX_VALUE: "0xdeadbeef",
  INVALID_MAP_VALUE: "value\nkey:value",
  DO_NOT_REPLACE_ME: "Never use this value",
  REPLACE_ME: "${DO_NOT_REPLACE_ME}",
  VALUE_WITH_ESCAPE: "value$$",
  EMPTY: "",
};

const value = (yaml: string): unknown => (parseYaml(yaml, "t.yaml", ENV).value as { key: unknown }).key;

const CASES: Array<[string, unknown]> = [
  ["key: ${STRING_VALUE}", "value"],
  ["key: ${BOOL_VALUE}", true],
  ["key: ${INT_VALUE}", 1],
  ["key: ${FLOAT_VALUE}", 1.1],
  ["key: ${HEX_VALUE}", 3735928559],
  ['key: "${STRING_VALUE}"', "value"],
  ['key: "${BOOL_VALUE}"', "true"],
  ['key: "${INT_VALUE}"', "1"],
  ['key: "${FLOAT_VALUE}"', "1.1"],
  ['key: "${HEX_VALUE}"', "0xdeadbeef"],
  ["key: '${INT_VALUE}'", "1"],
  ["key: ${env:STRING_VALUE}", "value"],
  ["key: ${INVALID_MAP_VALUE}", "value\nkey:value"],
  ["key: foo ${STRING_VALUE} ${FLOAT_VALUE}", "foo value 1.1"],
  ["key: ${UNDEFINED_KEY}", null],
  ["key: ${EMPTY}", null],
  ["key: ${UNDEFINED_KEY:-fallback}", "fallback"],
  ["key: ${EMPTY:-fallback}", "fallback"],
  ["key: ${UNDEFINED_KEY:-42}", 42],
  ["key: ${REPLACE_ME}", "${DO_NOT_REPLACE_ME}"],
  ["key: ${UNDEFINED_KEY:-${STRING_VALUE}}", "${STRING_VALUE}"],
  ["key: $${STRING_VALUE}", "${STRING_VALUE}"],
  ["key: $$${STRING_VALUE}", "$value"],
  ["key: $$$${STRING_VALUE}", "$${STRING_VALUE}"],
  ["key: $${STRING_VALUE:-fallback}", "${STRING_VALUE:-fallback}"],
  ["key: $${STRING_VALUE:-${STRING_VALUE}}", "${STRING_VALUE:-value}"],
  ["key: ${UNDEFINED_KEY:-$${UNDEFINED_KEY}}", "${UNDEFINED_KEY:-${UNDEFINED_KEY}}"],
  ["key: ${VALUE_WITH_ESCAPE}", "value$$"],
  ["key: a $$ b", "a $ b"],
  ["key: a $ b", "a $ b"],
  ["key: |\n  ${STRING_VALUE}\n", "value\n"],
  ["key: [${INT_VALUE}, \"${INT_VALUE}\"]", [1, "1"]],
];

for (const [input, expected] of CASES) {
  test(`substitution: ${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
    assert.equal(value(input), expected);
  });
}

test("keys are not substituted", () => {
  assert.equal(parseYaml("${STRING_VALUE}: value", "t.yaml", ENV).value, { "${STRING_VALUE}": "value" });
});

test("an invalid reference fails with its line, and the spec's invalid forms are refused", () => {
  for (const bad of ["${STRING_VALUE:?error}", "${1API_KEY}", "${API_$KEY}", "${}", "${env:}"]) {
    assert.throws(() => parseYaml(`a: 1\nkey: ${bad}`, "t.yaml", ENV), (e: Error) => e instanceof TypeError && e.message.startsWith("Cannot init: t.yaml:2: ") && e.message.includes(bad), bad);
  }
});

test("substituteEnv reads left to right: an escape's $ never starts a reference", () => {
  const env = { FOO: "a", BAR: "b", BAZ: "c" };
  assert.is(substituteEnv("$${FOO} ${BAR} $${BAZ}", env, (r) => { throw new Error(r); }), "${FOO} b ${BAZ}");
});

test.run();
