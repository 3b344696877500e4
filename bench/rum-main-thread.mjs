// What RUM costs the page's main thread (issue 16), measured side by side in headless Chromium
// at 4× CPU throttling (a mid-range phone): our `initRum()`, the size-first core's (bench/lean),
// `web-vitals` alone (the floor: five listeners and a beacon at page hide) and Elastic's
// `@elastic/apm-rum` (bench/package.json pins both), each bundled as a page gets it (esbuild, platform browser, minified), minus a page
// without any SDK. Not a test: timings depend on the machine; run it on a quiet one.
//
//   node bench/rum-main-thread.mjs            # 5 alternating rounds (RUM_BENCH_ROUNDS)
//
// One scripted session per round and contender, on a same-origin page served here:
//   load → 1.5 s (idle) → 3 clicks, each a fetch to /api/work and a DOM update, 400 ms apart →
//   a pushState navigation → 400 ms → page hide (visibilitychange to hidden, then pagehide,
//   dispatched in the page: headless Chromium never hides a page, and after a real navigation
//   the old page cannot be observed).
// Figures (medians over rounds):
// - evaluation + init: the SDK's classic <script> (preloaded) from the mark before it to the mark
//   after it: parse, compile, top-level evaluation and the init call.
// - self time: CPU-profile samples (100 µs) whose stack holds a frame of the SDK's script, whole
//   session, plus the busy time (all samples but idle) minus the page without an SDK.
// - long tasks: Long Tasks API entries over 50 ms, by phase (load, clicks, hide); and the page-
//   hide task itself (dispatch to the next task).
import { build } from "esbuild";
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

const root = new URL("..", import.meta.url).pathname;
const bench = new URL(".", import.meta.url).pathname;
const CHROMIUM = "/usr/bin/chromium";
const ROUNDS = Number(process.env.RUM_BENCH_ROUNDS) || 5;
const THROTTLE = 4;

const programs = {
  none: { dir: root, source: `globalThis.sdkReady = true;` },
  "web-vitals": {
    dir: bench,
    source: `import { onCLS, onFCP, onINP, onLCP, onTTFB } from "web-vitals";
const queue = [];
for (const on of [onCLS, onFCP, onINP, onLCP, onTTFB]) on((m) => queue.push({ name: m.name, value: m.value, rating: m.rating, id: m.id }));
addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden" && queue.length > 0) navigator.sendBeacon("/collector/vitals", JSON.stringify(queue.splice(0)));
});`,
  },
  ours: {
    dir: root,
    source: `import { initRum } from "./src/runtime/browser.ts";
initRum({ serviceName: "bench", otlp: { endpoint: location.origin + "/collector" } });`,
  },
  // The size-first core's initRum() (bench/lean, issue 16): what the same job costs on it.
  lean: {
    dir: root,
    source: `import { initRum } from "./bench/lean/rum.ts";
initRum({ serviceName: "bench", otlp: { endpoint: location.origin + "/collector" } });`,
  },
  elastic: {
    dir: bench,
    source: `import { init } from "@elastic/apm-rum";
init({ serviceName: "bench", serverUrl: location.origin + "/collector" });`,
  },
};

async function bundle(name) {
  const { dir, source } = programs[name];
  const result = await build({
    stdin: { contents: source, resolveDir: dir, sourcefile: `${name}.mjs`, loader: "js" },
    bundle: true,
    // RUM_BENCH_PROFILE keeps function names readable in the written profiles.
    ...(process.env.RUM_BENCH_PROFILE ? { minifySyntax: true, minifyWhitespace: true } : { minify: true }),
    format: "iife",
    platform: "browser",
    target: "es2022",
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

const page = (name) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RUM bench</title>
<link rel="preload" as="script" href="/sdk-${name}.js">
<script>
globalThis.longTasks = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: "longtask", buffered: true });
performance.mark("sdk-start");
</script>
<script src="/sdk-${name}.js"></script>
<script>performance.mark("sdk-end");</script>
</head><body>
<h1>RUM bench</h1>
<p>A paragraph large enough to be the largest contentful paint of this small page, rendered by the server.</p>
<button id="go" type="button">Load work</button> <a id="nav" href="/cart">Cart</a>
<ul id="out"></ul>
<script>
document.getElementById("go").addEventListener("click", async () => {
  const res = await fetch("/api/work");
  const li = document.createElement("li");
  li.textContent = JSON.stringify(await res.json());
  document.getElementById("out").append(li);
});
document.getElementById("nav").addEventListener("click", (e) => {
  e.preventDefault();
  history.pushState({}, "", "/cart");
  document.querySelector("h1").textContent = "Cart";
});
</script>
</body></html>`;

async function serve(scripts) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "POST") {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
      return;
    }
    const m = /^\/sdk-(.+)\.js$/.exec(url.pathname);
    if (m && scripts[m[1]] !== undefined) {
      res.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      res.end(scripts[m[1]]);
    } else if (url.pathname === "/api/work") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, at: Date.now() }));
    } else if (url.pathname.startsWith("/page-")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(page(url.pathname.slice(6)));
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>blank</title>");
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Busy and SDK-frame time (ms) from a CPU profile. */
function profileTimes(profile, sdkUrl) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inSdk = new Map();
  const isSdk = (id) => {
    if (inSdk.has(id)) return inSdk.get(id);
    const n = byId.get(id);
    const v = n.callFrame.url.endsWith(sdkUrl) || (parent.has(id) && isSdk(parent.get(id)));
    inSdk.set(id, v);
    return v;
  };
  let busy = 0;
  let sdk = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const name = byId.get(id).callFrame.functionName;
    if (name === "(idle)") return;
    busy += dt;
    if (isSdk(id)) sdk += dt;
  });
  return { busy, sdk };
}

async function session(browser, site, name) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await tab.goto(`${site.url}/blank`);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLE });
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  await tab.goto(`${site.url}/page-${name}`, { waitUntil: "load" });
  await tab.waitForTimeout(1500);
  const clicksAt = await tab.evaluate(() => performance.now());
  for (let i = 0; i < 3; i++) {
    await tab.click("#go");
    await tab.waitForTimeout(400);
  }
  await tab.click("#nav");
  await tab.waitForTimeout(400);
  const hide = await tab.evaluate(async () => {
    const t0 = performance.now();
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
    dispatchEvent(new PageTransitionEvent("pagehide", { persisted: false }));
    await new Promise((r) => setTimeout(r, 0));
    return { at: t0, task: performance.now() - t0 };
  });
  await tab.waitForTimeout(300);
  const { profile } = await cdp.send("Profiler.stop");
  if (process.env.RUM_BENCH_PROFILE) (await import("node:fs")).writeFileSync(`${process.env.RUM_BENCH_PROFILE}-${name}.cpuprofile`, JSON.stringify(profile));
  const page = await tab.evaluate(() => ({
    evalInit: performance.measure("sdk", "sdk-start", "sdk-end").duration,
    longTasks: globalThis.longTasks,
  }));
  await context.close();
  const phase = (t) => (t.start >= hide.at - 1 ? "hide" : t.start >= clicksAt ? "click" : "load");
  const long = { load: [], click: [], hide: [] };
  for (const t of page.longTasks) long[phase(t)].push(Math.round(t.duration));
  return { evalInit: page.evalInit, hideTask: hide.task, long, ...profileTimes(profile, `/sdk-${name}.js`) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
const names = Object.keys(programs);
const scripts = {};
for (const name of names) scripts[name] = await bundle(name);
const site = await serve(scripts);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
const results = Object.fromEntries(names.map((n) => [n, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order each round so no contender always runs on a warmer machine.
    const order = round % 2 ? [...names].reverse() : names;
    for (const name of order) results[name].push(await session(browser, site, name));
    process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
  }
} finally {
  await browser.close();
  await site.close();
}

const { gzipSync } = await import("node:zlib");
const baseBusy = median(results.none.map((r) => r.busy));
const baseEval = median(results.none.map((r) => r.evalInit));
const rows = [];
for (const name of names.filter((n) => n !== "none")) {
  const rs = results[name];
  const longs = (p) => {
    const all = rs.flatMap((r) => r.long[p]);
    const perRound = rs.map((r) => r.long[p].length);
    return all.length === 0 ? "none" : `${median(perRound)} per session (max ${Math.max(...all)} ms)`;
  };
  rows.push(
    `| ${name} | ${(gzipSync(scripts[name], { level: 9 }).length / 1024).toFixed(1)} KiB | ${Math.round(median(rs.map((r) => r.evalInit)) - baseEval)} ms | ${Math.round(median(rs.map((r) => r.sdk)))} ms | ${Math.round(median(rs.map((r) => r.busy)) - baseBusy)} ms | ${Math.round(median(rs.map((r) => r.hideTask)))} ms | ${longs("load")} | ${longs("click")} | ${longs("hide")} |`,
  );
}
console.log(`RUM main thread, headless Chromium ${browser.version?.() ?? ""} at ${THROTTLE}× CPU throttling, ${ROUNDS} alternating rounds, medians (page without SDK: busy ${Math.round(baseBusy)} ms, eval ${baseEval.toFixed(1)} ms)\n`);
console.log("| contender | gzip | evaluation + init | SDK frames, whole session | busy minus no-SDK page | page-hide task | long tasks at load | on clicks | at page hide |");
console.log("|---|---:|---:|---:|---:|---:|---|---|---|");
for (const row of rows) console.log(row);
if (process.env.RUM_BENCH_RAW) console.log(JSON.stringify(results, null, 1));
