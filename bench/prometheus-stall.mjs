// How long one large Prometheus scrape keeps the event loop from running anything else
// (issue 18, "Never stall the event loop"). Not a speed case against an incumbent: a figure
// for the README's claim about large scrapes.
//
//   node bench/prometheus-stall.mjs              # ours from dist/ (npm run build first)
//   node bench/prometheus-stall.mjs /tmp/dist-x  # another build of dist/, e.g. main's, for "before"
//
// Per shape (counters: one series = one line; histograms: default 15 boundaries, one series =
// 18 lines) and size (10k / 100k counter series; 10k / 40k histogram series, the issue's
// figure, 77 MiB of text), a fresh
// MeterProvider is filled before timing, then scraped ROUNDS times through a real node:http
// server (`toNodeListener(prometheusHandler(reader))` on 127.0.0.1) by a client in the same
// process that reads the body as it streams. `perf_hooks.monitorEventLoopDelay` (1 ms
// resolution) runs during each scrape only; its max is the longest synchronous stretch,
// including the 1 ms resolution. Reported: the median over rounds of that max, of the
// scrape's wall time, and the body size; and, apart, how long one `reader.collect()` of the
// same provider takes (synchronous for each metric stream: the part of a scrape that cannot
// yield, since a stream's snapshot is taken at once).
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createServer, get } from "node:http";

const dist = new URL(process.argv[2] ? `file://${process.argv[2].replace(/\/?$/, "/")}` : "../dist/", import.meta.url);
const ROUNDS = Number(process.env.STALL_ROUNDS) || 5;
const { MeterProvider, ManualMetricReader } = await import(new URL("mod.js", dist).href);
const { prometheusHandler, toNodeListener } = await import(new URL("prometheus.js", dist).href);

const SHAPES = [
  ["counter", 10_000],
  ["counter", 100_000],
  ["histogram", 10_000],
  ["histogram", 40_000],
];

function fill(kind, series) {
  const reader = new ManualMetricReader({ temporality: "cumulative" });
  const provider = new MeterProvider({ readers: [reader], cardinalityLimit: series + 1 });
  const meter = provider.getMeter("stall-bench");
  const instrument = kind === "counter" ? meter.createCounter("requests", { unit: "{request}" }) : meter.createHistogram("request.duration", { unit: "ms" });
  for (let i = 0; i < series; i++) {
    const attributes = { route: `/api/items/${i % 1000}`, shard: String(Math.floor(i / 1000)) };
    if (kind === "counter") instrument.add(i, attributes);
    else instrument.record(i % 10_000, attributes);
  }
  return reader;
}

function scrape(port) {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path: "/metrics", agent: false }, (res) => {
      let bytes = 0;
      res.on("data", (chunk) => (bytes += chunk.length));
      res.on("end", () => resolve(bytes));
      res.on("error", reject);
    }).on("error", reject);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`Node ${process.version}, dist ${dist.pathname}, ${ROUNDS} rounds, median of each`);
console.log("shape       series   longest block (ms)   scrape (ms)   collect alone (ms)   body");
for (const [kind, series] of SHAPES) {
  const reader = fill(kind, series);
  const server = createServer(toNodeListener(prometheusHandler(reader)));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await scrape(port); // warm-up: first collection, JIT
  const blocks = [];
  const walls = [];
  let size = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const h = monitorEventLoopDelay({ resolution: 1 });
    const start = performance.now();
    h.enable();
    size = await scrape(port);
    h.disable();
    walls.push(performance.now() - start);
    blocks.push(h.max / 1e6);
  }
  server.close();
  const collects = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    await reader.collect();
    collects.push(performance.now() - start);
  }
  console.log(
    `${kind.padEnd(10)} ${String(series).padStart(7)}   ${median(blocks).toFixed(1).padStart(18)}   ${median(walls).toFixed(0).padStart(11)}   ${median(collects).toFixed(1).padStart(18)}   ${(size / 1048576).toFixed(1)} MiB`,
  );
}
