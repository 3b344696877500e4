// `ctx.waitUntil(sdk.flush())` under concurrency in ONE workerd isolate (miniflare): every
// request's span must leave the isolate. workerd cancels the I/O a request started once that
// request's waitUntil promises have settled; exports are shared across requests (one in flight
// per signal), so a plain per-request flush could leave the next shared export tied to a
// finished request, where it hangs and stalls the batcher for the whole isolate.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { bundleWorker } from "../runtimes/bundle-worker.ts";

const N = 150;
const workerEntry = fileURLToPath(new URL("./workers/manual-flush-worker.mjs", import.meta.url));
const bundlePath = fileURLToPath(new URL("./workers/manual-flush-worker.bundle.mjs", import.meta.url));

interface Receiver {
  url: string;
  traces: Array<{ resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }>;
  waitFor(predicate: (r: Receiver) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const receiver = (await startDevReceiver()) as Receiver;
const bundle = await bundleWorker(workerEntry);
test.after(() => receiver.close());

for (const flag of ["nodejs_compat", "nodejs_als"]) {
  test(`${flag}: ${N} concurrent requests each calling ctx.waitUntil(sdk.flush()) deliver every span`, async () => {
    const name = `manual-${flag}`;
    const mf = new Miniflare({
      modules: [{ type: "ESModule", path: bundlePath, contents: bundle }],
      compatibilityDate: "2025-07-18",
      compatibilityFlags: [flag],
      bindings: { SERVICE_NAME: name, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
    });
    try {
      const bodies = await Promise.all(Array.from({ length: N }, (_, id) => mf.dispatchFetch(`http://worker.test/r/${id}`).then((r) => r.text())));
      assert.ok(bodies.every((b) => b === "ok"));
      const names = (r: Receiver) =>
        r.traces.flatMap((t) =>
          t.resourceSpans
            .filter((rs) => rs.resource.attributes.some((a) => a.key === "service.name" && a.value.stringValue === name))
            .flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))),
        );
      // waitUntil outlives dispatchFetch: wait for the receiver, with a deadline.
      await receiver.waitFor((r) => names(r).length >= N, 20000).catch(() => undefined);
      const got = names(receiver);
      assert.is(new Set(got).size, N, `${new Set(got).size} of ${N} requests' spans arrived`);
      assert.is(got.length, N, "each exported once");
    } finally {
      await mf.dispose();
    }
  });
}

test.run();
