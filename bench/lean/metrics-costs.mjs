// What each expensive guarantee of the lean metrics costs in the measured program
// (program-metrics.ts, bundled as measure.mjs does): the program is rebuilt with the guarantee's
// code cut out of the sources (exact text replacements, checked to apply), and the difference in
// minified and gzip bytes printed. `node bench/lean/metrics-costs.mjs`
import { printCosts } from "./costs.mjs";

/** guarantee → { file: [[text, replacement] or [from, through, replacement], …] } */
const VARIANTS = {
  "cardinality limit (2000) + overflow series": {
    "metrics.ts": [
      ['      if (series.size >= limit && key != "o") return cellOf(series, [OVERFLOW, "o"], time);\n', ""],
      ["  const limit = config.cardinalityLimit ?? 2e3;\n", ""],
      ['const OVERFLOW: Attributes = { "otel.metric.overflow": true };\n', ""],
    ],
  },
  "temporality presets (delta, lowmemory; env; Workers default) vs cumulative only": {
    "metrics.ts": [
      ['      const delta = bits & 1 && (preference == "delta" || (preference == "lowmemory" && bits < 8));\n', ""],
      ["  const preference = config.temporality;\n", ""],
      ["          let from = delta ? last : start;\n", "          const from = start;\n"],
      [
        "            } else if (observed && delta) {\n              totals.set(key, v);\n              value = v - (previous.get(key) ?? 0);\n            }\n",
        "            }\n",
      ],
      ["startTime: delta ? from : since", "startTime: since"],
      ["          previous = totals;\n          last = time;\n          if (delta && !observed) cells = new Map();\n", ""],
      ['temporality: gauge ? undefined : delta ? "delta" : "cumulative"', 'temporality: gauge ? undefined : "cumulative"'],
      ["          const totals = new Map<string, number>();\n", ""],
      ["      let previous = new Map<string, number>();\n", ""],
      ["      let last = now();\n      const start = last;\n", "      const start = now();\n"],
    ],
    "metrics-sdk.ts": [
      ["      let temporality = (read(", "        temporality = \"cumulative\";\n      }\n", ""],
      ["createMeterProvider({ resource, temporality, exemplar })", "createMeterProvider({ resource, exemplar })"],
    ],
    "otlp-metrics.ts": [['aggregationTemporality: t && (t == "delta" ? 1 : 2)', "aggregationTemporality: t && 2"]],
  },
  "instrument name, unit and description validation": {
    "metrics.ts": [
      ['      if (typeof name != "string" || !/^[a-z]', "        return observable ? NOOP_OBSERVABLE : NOOP;\n      }\n", ""],
      ['      if (typeof unit != "string"', '        unit = "";\n      }\n', ""],
      ['description: typeof description == "string" ? description : ""', 'description: description ?? ""'],
    ],
  },
  "measurement validation (non-number, NaN/±Infinity, negative on counters/histograms, INT truncation)": {
    "metrics.ts": [
      ["          const v = valid(value);\n          if (v === undefined) return;\n", "          const v = value as number;\n"],
      ["      /** Reports (once per instrument and cause) a value dropped. */\n", "                : v;\n", ""],
    ],
  },
  "duplicate registration (same instrument back; conflicts reported)": {
    "metrics.ts": [
      ["      const found = registered.get(id);\n", "      names.add(lower);\n", ""],
      ["      const id = JSON.stringify([lower, type, unit, int, descriptor.description]);\n", ""],
      ["      const lower = name.toLowerCase();\n", ""],
      ["      registered.set(id, instrument);\n", ""],
      ["    const registered = new Map<string, Sync | Observable>();\n    const names = new Set<string>();\n", ""],
    ],
  },
  "canonical attribute sets (sanitized values, keys sorted)": {
    "metrics.ts": [["  const [clean] = copy(raw);\n", "  return [sorted, key];\n", "  return [raw as Attributes, JSON.stringify(raw)];\n"]],
  },
  "recording never throws (guards around record, bind, observe)": {
    "metrics.ts": [
      ["        try {\n          stream.r(value, attributes);\n", "        }\n", "        stream.r(value, attributes);\n"],
      ["      try {\n        stream!.r(value, attributes);\n", "      }\n", "      stream!.r(value, attributes);\n"],
      [
        "            try {\n", "            }\n",
        "            copied = attributes && typeof attributes == \"object\" ? { ...attributes } : undefined;\n            cellOf(cells, attributeSet(copied), now());\n",
      ],
    ],
  },
  "observable instruments and batch callbacks (SDK and API)": {
    "metrics.ts": [
      ["    const tasks: unknown[] = [];\n", "    if (tasks.length) await within(Promise.all(tasks), timeout);\n", ""],
      ["  async function collect(timeout: number)", "  async function collect()"],
      ["        c: observable ? [] : undefined,\n", ""],
      [
        "          const b = stream.b;\n",
        "          }\n        },\n",
        "          const time = now();\n          const cell = cellOf(cells, set, time);\n          const i = into(cell, v);\n          config.exemplar?.(cell, v, time, histogram ? i : undefined);\n        },\n",
      ],
      ["          const observed = stream.b;\n          stream.b = undefined;\n", ""],
      ["          if (observed) {\n", "          }\n", ""],
      ["            } else if (observed && delta) {\n", "            }\n", "            }\n"],
      ["if (delta && !observed)", "if (delta)"],
      ["      if (observable) {\n", "      } else {\n", "      {\n"],
      ["    /** The streams of this meter's observables", "    } as Record<string, Function>;\n", "    const meter = { addBatchObservableCallback: noop, removeBatchObservableCallback: noop } as Record<string, Function>;\n"],
      ["(n: string, o?: MetricOptions) => create(kind, n, o);", "KINDS[kind]! & 8 ? () => NOOP_OBSERVABLE : (n: string, o?: MetricOptions) => create(kind, n, o);"],
      ["  /** Observable instrument → its stream (batch callbacks name instruments). */\n  const observables = new Map<unknown, Stream>();\n", ""],
    ],
    "metrics-sdk.ts": [["provider.collect(timeout)", "provider.collect()"]],
    "metrics-api.ts": [
      ["  const observable = (kind: string) =>", "    return proxy;\n  };\n", ""],
      ["  const moveBatch = ", "  };\n", ""],
      ["  const proxy = {\n", "  } as Record<string, Function>;\n", "  const proxy = { addBatchObservableCallback: noop, removeBatchObservableCallback: noop } as Record<string, Function>;\n"],
      ["(KINDS[kind]! & 8 ? observable : sync)(kind)", "KINDS[kind]! & 8 ? () => NOOP_OBSERVABLE : sync(kind)"],
      ["  const same = (a: Observable[], b: Observable[]) => a.length == b.length && a.every((o) => b.includes(o));\n", ""],
      ["  const batch: [BatchObservableCallback", "\n", ""],
      ["  let batchMeter: Meter | undefined;\n", ""],
      ["/** A proxy observable → its real instrument", "const real = (o: Observable): Observable => realOf.get(o)?.() ?? o;\n", ""],
      ["  for (const set of moves) for (const move of set) move();\n", ""],
    ],
  },
  "metrics API proxies (getMeter before init records after it; includes the observable proxies)": {
    "metrics-api.ts": [
      ["function proxyMeter(", "  return proxy as unknown as Meter;\n}\n", "const proxyMeter = (name: string, version?: string, options?: { schemaUrl?: string }): Meter => (registered ?? noopProvider).getMeter(name, version, options);\n"],
      ["  for (const set of moves) for (const move of set) move();\n", ""],
    ],
  },
  "histogram (explicit buckets, default boundaries, advice; its OTLP point)": {
    "metrics.ts": [
      ["const BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1e3, 2500, 5e3, 7500, 1e4];\n", ""],
      ["      let boundaries = BOUNDARIES;\n", " ignored\");\n      }\n", ""],
      ["      const histogram = bits & 4;\n", ""],
      ['histogram ? "histogram" : gauge', "gauge"],
      ["histogram ? [0, 0, 1 / 0, -1 / 0, ...boundaries.map(() => 0), 0] : undefined", "undefined"],
      ["        const h = cell[3];\n", "        } else cell[2] = gauge ? v : cell[2] + v;\n", "        cell[4]++;\n        cell[2] = gauge ? v : cell[2] + v;\n"],
      ["            if (h) {\n", "            } else if (observed && delta) {", "            if (observed && delta) {"],
      ["isMonotonic: gauge || histogram ? undefined", "isMonotonic: gauge ? undefined"],
    ],
    "otlp-metrics.ts": [
      ["  const h = v as HistogramValue;\n", ""],
      ["  return {\n    ...head,\n    count", "    max: h.max,\n  };\n", "  return head;\n"],
    ],
  },
  "gauge and observable gauge (last value; NaN kept; no temporality)": {
    "metrics.ts": [
      ["      const gauge = bits & 2;\n", ""],
      ['gauge ? "gauge" : "sum"', '"sum"'],
      ["v - v != 0 && !gauge", "v - v != 0"],
      ["cell[2] = gauge ? v : cell[2] + v", "cell[2] += v"],
      ["temporality: gauge ? undefined : delta", "temporality: delta"],
      ["isMonotonic: gauge || histogram ? undefined", "isMonotonic: histogram ? undefined"],
    ],
  },
  "bind() (SDK and API)": {
    "metrics.ts": [["          bind(attributes) {\n", "            return { add: bound, record: bound } as never;\n          },\n", ""]],
    "metrics-api.ts": [["      bind(attributes) {\n", "        return { add: (v: number, c?: never) => bound().add(v, c), record: (v: number, c?: never) => bound().record(v, c) } as never;\n      },\n", ""]],
  },
};

await printCosts("program-metrics.ts", "workers", VARIANTS);
