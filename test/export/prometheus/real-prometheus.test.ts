// Conformance against real peers: a Prometheus server scrapes our handler (OpenMetrics, as
// Prometheus negotiates it, and text 0.0.4 forced on a second target) over node:http, and a
// Pushgateway accepts our pushes. All on 127.0.0.1; everything started is stopped.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { prometheusHandler } from "../../../src/export/prometheus/handler.ts";
import { toNodeListener } from "../../../src/export/prometheus/node-listener.ts";
import { pushToGateway } from "../../../src/export/prometheus/pushgateway.ts";
import { startPrometheus, startPushgateway } from "../../../scripts/prometheus-tools.mjs";
import { poll as pollUntil } from "../../backends/peers.ts";

// This suite's deadline for each wait on Prometheus (the backends suite's default is longer).
const poll = <T>(what: string, fn: () => Promise<T | undefined>, deadlineMs = 15_000): Promise<T> => pollUntil(what, fn, deadlineMs);
import { collection, counter, histValue, histogram, point, scope } from "./fixtures.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

function source(job: string) {
  let n = 0;
  return {
    async collect() {
      n++;
      const values = [0.02, 0.04, 0.3, 0.3, 0.3, 0.7, 3];
      return {
        resourceMetrics: collection([scope("real.test", [
          counter("orders.placed", [point(42, { "shop.region": "eu/west", note: 'say "hi"\n' }, [{ value: 1, time: 0, traceId: TRACE, spanId: SPAN, filteredAttributes: {} }])], "{order}", "Orders placed"),
          histogram("checkout.duration", [point(histValue(values, [0.05, 0.1, 0.5, 1, 5]), { job_kind: job }, [{ value: 0.3, time: 0, traceId: TRACE, spanId: SPAN, filteredAttributes: {} }])], "s"),
          counter("scrapes", [point(n)]),
        ], "0.1.0")], { "service.name": "shop", "service.instance.id": "i-1" }),
        errors: [],
      };
    },
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}


test("a real Prometheus scrapes both formats; PromQL sees the counter, histogram_quantile and an exemplar", async () => {
  const om = createServer(toNodeListener(prometheusHandler(source("om"))));
  const text = createServer(toNodeListener(prometheusHandler(source("text"), { openMetrics: "never" })));
  const prom = await startPrometheus([{ name: "om", port: await listen(om) }, { name: "text", port: await listen(text) }]);
  try {
    const targets = await poll("both targets up", async () => {
      const r = await prom.api("/api/v1/targets");
      const active = r.data.activeTargets as Array<{ health: string; lastError: string; labels: { job: string } }>;
      return active.length === 2 && active.every((t) => t.health === "up") ? active : undefined;
    });
    assert.equal(targets.map((t) => t.lastError), ["", ""]);
    for (const job of ["om", "text"]) {
      const counterRes = await poll(`counter (${job})`, async () => {
        const r = await prom.query(`orders_placed_total{job="${job}"}`);
        return r.data.result.length ? r.data.result : undefined;
      });
      assert.is(counterRes.length, 1);
      assert.is(counterRes[0].value[1], "42");
      assert.is(counterRes[0].metric.shop_region, "eu/west");
      assert.is(counterRes[0].metric.note, 'say "hi"\n');
      assert.is(counterRes[0].metric.otel_scope_name, "real.test");
      const q = await poll(`quantile (${job})`, async () => {
        const r = await prom.query(`histogram_quantile(0.5, sum by (le) (checkout_duration_seconds_bucket{job="${job}"}))`);
        return r.data.result.length ? Number(r.data.result[0].value[1]) : undefined;
      });
      // 7 observations; the median (4th) lies in (0.1, 0.5].
      assert.ok(q > 0.1 && q <= 0.5, String(q));
      const info = await prom.query(`target_info{job="${job}"}`);
      assert.is(info.data.result[0].metric.service_name, "shop");
    }
    const exemplars = await poll("exemplar", async () => {
      const now = Date.now() / 1000;
      const r = await prom.api(`/api/v1/query_exemplars?query=${encodeURIComponent('checkout_duration_seconds_bucket{job="om"}')}&start=${now - 3600}&end=${now + 60}`);
      return r.data?.length ? r.data : undefined;
    }, 10000);
    const labels = exemplars[0].exemplars[0].labels;
    assert.is(labels.trace_id, TRACE);
    assert.is(labels.span_id, SPAN);
    // Issue 18: the exemplar (0.3) is stored once, on the lowest bucket that includes it, not
    // also on le 1.0, 5.0 and +Inf.
    assert.equal(exemplars.map((s: { seriesLabels: { le: string } }) => s.seriesLabels.le), ["0.5"], JSON.stringify(exemplars));
  } finally {
    await prom.close();
    om.close();
    text.close();
  }
});

test("a real Pushgateway accepts PUT/POST with a grouping key containing '/', serves it back, and DELETE removes it", async () => {
  const gw = await startPushgateway();
  try {
    const grouping = { path: "a/b/c", empty: "", plain: "x y" };
    const put = await pushToGateway(source("push"), { url: gw.base, job: "batch/nightly", groupingKey: grouping, method: "PUT" });
    assert.equal(put, { ok: true, status: 200 });
    let metrics = await (await fetch(gw.base + "/metrics")).text();
    const line = metrics.split("\n").find((l) => l.startsWith("orders_placed_total{"));
    assert.ok(line, metrics.slice(0, 2000));
    assert.ok(line!.includes('job="batch/nightly"'), line);
    assert.ok(line!.includes('path="a/b/c"'), line);
    assert.ok(line!.includes('plain="x y"'), line);
    assert.ok(line!.endsWith(" 42"), line);
    const post = await pushToGateway(source("push"), { url: gw.base, job: "batch/nightly", groupingKey: grouping, method: "POST" });
    assert.is(post.ok, true);
    const del = await pushToGateway(source("push"), { url: gw.base, job: "batch/nightly", groupingKey: grouping, method: "DELETE" });
    assert.equal(del, { ok: true, status: 202 });
    metrics = await (await fetch(gw.base + "/metrics")).text();
    assert.not.ok(metrics.includes("orders_placed_total"));
    // Rejections and unreachable gateways resolve, never throw.
    const bad = await pushToGateway(source("push"), { url: gw.base, job: "" });
    assert.is(bad.ok, false);
    const refused = await pushToGateway(source("push"), { url: "http://127.0.0.1:1", job: "j", timeoutMillis: 2000 });
    assert.equal([refused.ok, refused.status], [false, 0]);
  } finally {
    await gw.close();
  }
});

test.run();
