// Hostile input, Prometheus: seeded random metric names, units, descriptions, scope names,
// resource attributes and label keys/values made of every special character (unicode,
// quotes, backslashes, newlines, CR, `{}`, `=`, `#`, leading digits, empty, very long,
// lone surrogates), with random values (NaN, ±Inf, -0, huge) and random histograms
// (explicit and exponential). Each text 0.0.4 rendering goes through `promtool check metrics`
// (the real Prometheus parser and linter); both formats pass structural checks written from
// the exposition-format specs: line grammar, one HELP/TYPE per family before its samples,
// contiguous families, no duplicate series, label values round-tripping through escaping,
// histogram buckets ascending and cumulative with le="+Inf" equal to _count, `# EOF` last.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import type { Attributes } from "../../src/common/attributes.ts";
import { renderOpenMetrics, renderPrometheusText } from "../../src/export/prometheus/text-format.ts";
import type { DataPoint, ExponentialHistogramValue, MetricData, ResourceMetrics } from "../../src/metrics/types.ts";
import { promtoolCheckMetrics } from "../../scripts/prometheus-tools.mjs";
import { collection, counter, gauge, histogram, histValue, point, scope, upDown } from "../export/prometheus/fixtures.ts";
import { Rng, withSeed } from "./prng.ts";

diag.disable();

const ROUNDS = 150; // renders per format (promtool runs on each 0.0.4 one); each holds up to ~60 series
const SPECIAL = ['"', "\\", "\n", "\r", "\t", "{", "}", "=", ",", "#", " ", ".", "-", "/", ":", "_", "__", "0", "9", "é", "漢", "😀", "\ud800", "\u2028", "\0", "le", "quantile", "%", "$", "+Inf"];

function weird(rng: Rng, max = 12): string {
  switch (rng.int(8)) {
    case 0: return "";
    case 1: return rng.pick(SPECIAL).repeat(rng.range(1, 3));
    case 2: return rng.codeUnits(rng.range(1, 6));
    case 3: return "x".repeat(rng.pick([200, 5000]));
    case 4: return String(rng.int(1000)) + rng.chars("abc._-", 3);
    default: {
      let s = "";
      for (let i = rng.range(1, max); i > 0; i--) s += rng.bool(0.5) ? rng.pick(SPECIAL) : rng.chars("abcXYZ019_.", 1);
      return s;
    }
  }
}

function value(rng: Rng): number {
  return rng.pick([0, -0, 1, 2.5, -3, NaN, Infinity, -Infinity, 1e308, 5e-324, 2 ** 53 + 2, rng.next() * 100]);
}

/** Attributes: random hostile keys, plus the probe key `probe` whose value is checked after parsing. */
function attributes(rng: Rng, probe: string): Attributes {
  const a: Attributes = {};
  for (let i = rng.int(4); i > 0; i--) {
    // "k" + ... never sanitizes to "probe".
    const key = "k" + weird(rng, 6);
    Object.defineProperty(a, key, { value: rng.pick<Attributes[string]>([weird(rng), value(rng), true, [weird(rng), weird(rng)], [1, NaN]]), enumerable: true, configurable: true, writable: true });
  }
  a.probe = probe;
  return a;
}

function boundaries(rng: Rng): number[] {
  const n = rng.int(8);
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add(rng.pick([-1e9, -5, -0.5, 0, 0.001, 1, 2.5, 10, 1e300, rng.next() * 1000]));
  return [...out].sort((x, y) => x - y);
}

function expValue(rng: Rng): ExponentialHistogramValue {
  const counts = () => Array.from({ length: rng.int(6) }, () => rng.int(5));
  const positive = { offset: rng.range(-20, 20), bucketCounts: counts() };
  const negative = { offset: rng.range(-20, 20), bucketCounts: counts() };
  const zeroCount = rng.int(3);
  const count = zeroCount + positive.bucketCounts.reduce((a, b) => a + b, 0) + negative.bucketCounts.reduce((a, b) => a + b, 0);
  return { count, sum: negative.bucketCounts.length ? -1 : 1, min: negative.bucketCounts.length ? -1 : 0, max: 1, scale: rng.range(-3, 8), zeroCount, zeroThreshold: 0, positive, negative };
}

/** One random exposition and the probe label values expected in it. */
function exposition(rng: Rng): { collections: ResourceMetrics[]; probes: Set<string> } {
  const probes = new Set<string>();
  const points = <T>(make: () => T): DataPoint<T>[] =>
    Array.from({ length: rng.range(1, 4) }, () => {
      const probe = weird(rng);
      probes.add(probe);
      return point(make(), attributes(rng, probe));
    });
  const metrics: MetricData[] = [];
  for (let i = rng.range(1, 8); i > 0; i--) {
    const name = rng.bool(0.2) ? rng.pick(["http.server.duration", "requests_total", "1st", "a.b", "a-b", "a_b"]) : weird(rng);
    const unit = rng.bool(0.5) ? rng.pick(["", "s", "ms", "By", "1", "{req}", "m/s", "%", "{", "}", "/", "1/s"]) : weird(rng, 5);
    const description = rng.bool(0.7) ? weird(rng, 20) : "";
    switch (rng.int(6)) {
      case 0: metrics.push(counter(name, points(() => Math.abs(value(rng))), unit, description)); break;
      case 1: metrics.push(upDown(name, points(() => value(rng)), unit)); break;
      case 2: metrics.push(gauge(name, points(() => value(rng)), unit, description)); break;
      case 3: {
        const b = boundaries(rng);
        metrics.push(histogram(name, points(() => histValue(Array.from({ length: rng.int(6) }, () => rng.pick([-3, 0, 1, 7, 1e6, rng.next() * 20])), b)), unit));
        break;
      }
      case 4: metrics.push({ ...histogram(name, [], unit), dataPointType: "exponentialHistogram", dataPoints: points(() => expValue(rng)) } as MetricData); break;
      default: metrics.push({ descriptor: { name, description, unit, type: "histogram", valueType: 1 }, dataPointType: "summary", dataPoints: points(() => ({ count: rng.int(10), sum: rng.int(100), quantiles: [{ quantile: 0.5, value: value(rng) }, { quantile: 0.99, value: value(rng) }, { quantile: rng.pick([0, 1]), value: 1 }] })) } as MetricData);
    }
  }
  const resource: Attributes = {};
  for (let i = rng.int(4); i > 0; i--) resource["r" + weird(rng, 5)] = weird(rng);
  const scopes = [scope(weird(rng), metrics.slice(0, Math.ceil(metrics.length / 2)), rng.bool() ? weird(rng) : undefined), scope(weird(rng), metrics.slice(Math.ceil(metrics.length / 2)))];
  return { collections: [collection(scopes, resource)], probes };
}

// ---- structural checks (independent of the renderer) -------------------------------------
const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const FLOAT = "(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|[+-]?Inf|NaN)";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(${LABEL}(?:,${LABEL})*)?\\})? (${FLOAT})( # \\{.*\\} ${FLOAT}(?: ${FLOAT})?)?$`, "s");
const LABEL_G = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

function familyOf(sample: string, types: Map<string, string>): string | undefined {
  if (types.has(sample)) return sample;
  for (const suffix of ["_bucket", "_count", "_sum", "_total", "_created", "_info"]) {
    if (sample.endsWith(suffix) && types.has(sample.slice(0, -suffix.length))) return sample.slice(0, -suffix.length);
  }
  return undefined;
}

function checkStructure(text: string, om: boolean, probes: Set<string>, why: string): void {
  const lines = text.split("\n");
  assert.is(lines.pop(), "", `${why}: no trailing newline`);
  if (om) assert.is(lines.pop(), "# EOF", `${why}: # EOF is not last`);
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const units = new Set<string>();
  const done = new Set<string>();
  let current: string | undefined;
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE|UNIT) (\S+)(?: (.*))?$/s.exec(line);
      assert.ok(m, `${why}: bad comment line ${JSON.stringify(line.slice(0, 120))}`);
      const [, kind, name] = m!;
      assert.ok(new RegExp(`^${NAME}$`).test(name!) && !name!.startsWith("__"), `${why}: family name ${name}`);
      if (current !== name) {
        assert.not.ok(done.has(name!), `${why}: family ${name} is not contiguous`);
        if (current) done.add(current);
        current = name;
      }
      const set = kind === "HELP" ? helps : kind === "UNIT" ? units : undefined;
      if (set) {
        assert.not.ok(set.has(name!), `${why}: two ${kind} lines for ${name}`);
        set.add(name!);
        if (kind === "HELP") assert.ok(/^(?:[^\\]|\\[\\n"])*$/.test(m![3] ?? ""), `${why}: HELP escaping ${JSON.stringify(line.slice(0, 120))}`);
      } else {
        assert.not.ok(types.has(name!), `${why}: two TYPE lines for ${name}`);
        assert.ok(["counter", "gauge", "histogram", "summary", "info", "untyped", "unknown"].includes(m![3]!), `${why}: type ${m![3]}`);
        types.set(name!, m![3]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    assert.ok(m, `${why}: bad sample line ${JSON.stringify(line.slice(0, 200))}`);
    const family = familyOf(m![1]!, types);
    assert.ok(family !== undefined, `${why}: sample ${m![1]} before its TYPE`);
    if (family !== current) {
      assert.not.ok(done.has(family!), `${why}: family ${family} is not contiguous`);
      if (current) done.add(current);
      current = family;
    }
    const labels: Record<string, string> = {};
    for (const l of (m![2] ?? "").matchAll(LABEL_G)) {
      assert.not.ok(l[1]! in labels, `${why}: label ${l[1]} twice`);
      assert.not.ok(l[1]!.startsWith("__"), `${why}: reserved label ${l[1]}`);
      labels[l[1]!] = unescape(l[2]!);
    }
    const key = m![1]! + JSON.stringify(Object.entries(labels).sort());
    assert.not.ok(seen.has(key), `${why}: duplicate series ${key.slice(0, 200)}`);
    seen.add(key);
    samples.push({ name: m![1]!, labels, value: Number(m![3]!.replace("Inf", "Infinity")) });
  }
  // Label values round-trip through the escaping (lone surrogates become U+FFFD on the wire).
  const wire = new Set([...probes].map((p) => p.replace(LONE, "\ufffd")));
  for (const s of samples) if (s.labels.probe !== undefined) assert.ok(wire.has(s.labels.probe.replace(LONE, "\ufffd")), `${why}: probe ${JSON.stringify(s.labels.probe)} was not set`);
  // Histograms: per series, le ascending, counts cumulative, +Inf last and equal to _count.
  const buckets = new Map<string, Array<{ le: number; v: number }>>();
  const familyOfSample = (name: string) => familyOf(name, types);
  for (const s of samples.filter((x) => x.name.endsWith("_bucket") && types.get(familyOfSample(x.name) ?? "") === "histogram")) {
    const { le, ...rest } = s.labels;
    assert.ok(le !== undefined, `${why}: bucket without le`);
    const k = familyOfSample(s.name)! + JSON.stringify(Object.entries(rest).sort());
    if (!buckets.has(k)) buckets.set(k, []);
    buckets.get(k)!.push({ le: le === "+Inf" ? Infinity : Number(le), v: s.value });
  }
  for (const [k, b] of buckets) {
    for (let i = 1; i < b.length; i++) {
      assert.ok(b[i]!.le > b[i - 1]!.le, `${why}: le not ascending in ${k.slice(0, 100)}: ${b.map((x) => x.le)}`);
      assert.ok(b[i]!.v >= b[i - 1]!.v, `${why}: buckets not cumulative in ${k.slice(0, 100)}`);
    }
    assert.is(b[b.length - 1]!.le, Infinity, `${why}: no +Inf bucket`);
    const base = k.slice(0, k.indexOf("["));
    const countName = base + "_count";
    const count = samples.find((s) => s.name === countName && JSON.stringify(Object.entries(s.labels).sort()) === k.slice(base.length));
    assert.ok(count, `${why}: no _count for ${k.slice(0, 100)}`);
    assert.is(count!.value, b[b.length - 1]!.v, `${why}: +Inf != _count`);
  }
}

test(
  "text 0.0.4: promtool check metrics accepts every random exposition, and the structure holds",
  withSeed("prometheus-0.0.4", async (rng) => {
    for (let i = 0; i < ROUNDS; i++) {
      const { collections, probes } = exposition(rng);
      const text = renderPrometheusText(collections);
      const why = `round ${i}`;
      checkStructure(text, false, probes, why);
      const { output } = await promtoolCheckMetrics(text);
      // promtool exits 1 for style lints too; random user names may be camelCase, contain
      // "ms"-like fragments or ':' (valid in metric names per the exposition format and the
      // OTel compatibility spec), which a renderer must not rewrite. Anything else fails.
      const problems = (output as string)
        .split("\n")
        .filter((l: string) => l.trim() !== "" && !/should be written in 'snake_case' not 'camelCase'|should not contain abbreviated units|metric names should not contain ':'|use base unit "seconds" instead of "milliseconds"|non-counter metrics should not have "_total" suffix/.test(l));
      assert.equal(problems, [], `${why}: promtool: ${output.slice(0, 500)}\n--- text:\n${text.slice(0, 3000)}`);
    }
  }),
);

test(
  "OpenMetrics 1.0: the structure holds for every random exposition",
  withSeed("openmetrics", (rng) => {
    for (let i = 0; i < ROUNDS * 4; i++) {
      const { collections, probes } = exposition(rng);
      checkStructure(renderOpenMetrics(collections), true, probes, `round ${i}`);
    }
  }),
);

test.run();
