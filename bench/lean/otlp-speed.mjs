// Speed of bench/lean/otlp.ts against the product's encoder (`encodeTracesBytes` = 1), in one
// process, alternating, median of paired rounds (a loaded machine moves both sides alike):
//   node --import ./scripts/register.mjs bench/lean/otlp-speed.mjs [copy/of/otlp.ts …]
// Each argument is a variant of otlp.ts (a copy beside symlinks to time.ts and diag.ts, so the
// clocks agree); a string result is timed with TextEncoder.encode, what fetch does with it.
// Env: ROUNDS (default 15), SCALE (iterations per round), BUILD=1 (also time a string result
// without encoding), REF=1 (also JSON.stringify of the parsed body + encode).
const W = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } = await import(W + "/mod.ts");
const { encodeTracesBytes } = await import(W + "/src/export/otlp/trace-encoder.ts");
const realNow = Date.now; Date.now = () => 1765100000123;
(await import(W + "/src/common/time.ts")).now(); (await import(W + "/bench/lean/time.ts")).now(); Date.now = realNow;
console.warn = () => {};
const variants = [["product", (s) => encodeTracesBytes(s)]];
const te = new TextEncoder();
const paths = process.argv.slice(2);
if (!paths.length) paths.push(W + "/bench/lean/otlp.ts");
for (const p of paths) {
  const m = await import(p);
  const name = p.replace(/.*\/(\w+)\/otlp\.ts$/, "$1").replace(/.*\//, "");
  variants.push([name, (s) => { const r = m.encodeSpans(s); return typeof r == "string" ? te.encode(r) : r; }]);
  if (process.env.BUILD) variants.push([name + "-build", (s) => m.encodeSpans(s)]);
}
const resource = { attributes: { "service.name": "edge-api", "cloud.provider": "cloudflare", "telemetry.sdk.name": "otel-edge", "telemetry.sdk.language": "js" } };
async function spansOf(n, make) {
  const exp = new InMemorySpanExporter();
  const p = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exp)] });
  const t = p.getTracer("bench");
  for (let i = 0; i < n; i++) make(t, i);
  await p.forceFlush();
  return exp.getFinishedSpans();
}
const cases = {
  "512x8+1ev": await spansOf(512, (t, i) => {
    const s = t.startSpan(`GET /api/items/${i % 16}`, { kind: 1, attributes: { "http.request.method": "GET", "http.route": "/api/items/:id", "http.response.status_code": 200, "server.address": "api.example.com", retry: (i & 1) === 0, "user.id": `user-${i}`, "db.rows": i * 3, "cache.hit_ratio": 0.75 } });
    s.addEvent("cache.miss", { "cache.key": `item:${i}` }); s.end();
  }),
  "512x64": await spansOf(512, (t, i) => {
    const a = {}; for (let k = 0; k < 64; k++) a[`http.attribute.${k}`] = k % 2 ? `value ${k}` : k;
    const s = t.startSpan("op", { attributes: a }); s.addEvent("e", { a: 1 }); s.end();
  }),
  "workers3": await spansOf(3, (t, i) => {
    const s = t.startSpan(["fetch", "GET", "kv get"][i], { kind: [1, 2, 0][i], attributes: { "http.request.method": "GET", "url.full": "https://api.example.com/v1/items/42?x=1", "http.response.status_code": 200, "server.address": "api.example.com", "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64)", "cloudflare.colo": "FRA", "faas.trigger": "http", "network.protocol.version": "1.1" } });
    if (i == 0) s.addEvent("request.body.read", { bytes: 1234 }); s.setStatus({ code: 1 }); s.end();
  }),
};
// correctness
for (const [c, spans] of Object.entries(cases)) {
  const ref = Buffer.from(encodeTracesBytes(spans));
  for (const [n, f] of variants) if (!n.endsWith("-build") && !ref.equals(Buffer.from(f(spans)))) console.log("MISMATCH", c, n);
}
if (process.env.REF) for (const [c, spans] of Object.entries(cases)) { const plain = JSON.parse(new TextDecoder().decode(encodeTracesBytes(spans))); cases[c] = spans; spans.plain = plain; }
if (process.env.REF) variants.push(["stringify", (s) => te.encode(JSON.stringify(s.plain))]);
const rounds = +(process.env.ROUNDS ?? 15);
for (const [c, spans] of Object.entries(cases)) {
  const iters = +(process.env.SCALE ?? 1) * (c === "workers3" ? 4000 : c === "512x64" ? 4 : 20);
  const res = variants.map(() => []);
  for (const [, f] of variants) for (let i = 0; i < iters / 4; i++) f(spans);
  for (let r = 0; r < rounds; r++) {
    for (let v = 0; v < variants.length; v++) {
      const f = variants[(v + r) % variants.length][1];
      const t0 = performance.now();
      for (let i = 0; i < iters; i++) f(spans);
      res[(v + r) % variants.length].push((performance.now() - t0) / iters * 1000);
    }
  }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const p = med(res[0]);
  const ratio = (i) => med(res[i].map((x, r) => x / res[0][r]));
  console.log(c.padEnd(10), variants.map(([n], i) => `${n} ${med([...res[i]]).toFixed(c === "workers3" ? 2 : 0)}µs (${ratio(i).toFixed(2)}×)`).join("  "));
}
