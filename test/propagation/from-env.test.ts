import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce, type DiagLogger } from "../../src/common/diag.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { createBaggage, setBaggage } from "../../src/propagation/baggage.ts";
import { propagatorFromEnv } from "../../src/propagation/from-env.ts";
import { defaultTextMapSetter } from "../../src/propagation/text-map.ts";
import { setSpanContext } from "../../src/trace/span-in-context.ts";

const warnings: string[] = [];
const logger: DiagLogger = { error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} };
diag.setLogger(logger, 50);

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const CTX = setBaggage(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }), createBaggage({ k: { value: "v" } }));

function injected(value: string | undefined): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagatorFromEnv(value).inject(CTX, carrier, defaultTextMapSetter);
  return carrier;
}

test.before.each(() => {
  warnings.length = 0;
  resetDiagOnce();
});

test("default (unset or empty) is tracecontext,baggage", () => {
  for (const v of [undefined, "", "   "]) {
    assert.equal(Object.keys(injected(v)).sort(), ["baggage", "traceparent"]);
    assert.equal(propagatorFromEnv(v).fields(), ["traceparent", "tracestate", "baggage"]);
  }
  assert.equal(warnings, []);
});

test("each name selects its propagator", () => {
  assert.equal(injected("tracecontext"), { traceparent: `00-${TRACE}-${SPAN}-01` });
  assert.equal(injected("baggage"), { baggage: "k=v" });
  assert.equal(injected("b3"), { b3: `${TRACE}-${SPAN}-1` });
  assert.equal(injected("b3multi"), { "x-b3-traceid": TRACE, "x-b3-spanid": SPAN, "x-b3-sampled": "1" });
  assert.equal(injected("jaeger"), { "uber-trace-id": `${TRACE}:${SPAN}:0:01`, "uberctx-k": "v" });
  assert.equal(warnings, []);
});

test("lists combine in order, trimmed and case-insensitive; duplicates ignored", () => {
  assert.equal(propagatorFromEnv(" TraceContext , b3 ,tracecontext,, baggage ").fields(), ["traceparent", "tracestate", "b3", "baggage"]);
  assert.equal(warnings, []);
});

test("none configures nothing", () => {
  assert.equal(injected("none"), {});
  assert.equal(propagatorFromEnv("none").fields(), []);
  assert.equal(injected("none,b3"), { b3: `${TRACE}-${SPAN}-1` });
});

test("unknown names warn once, naming the variable and the accepted values, and are skipped", () => {
  assert.equal(injected("xray,b3,xray"), { b3: `${TRACE}-${SPAN}-1` });
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /OTEL_PROPAGATORS/);
  assert.match(warnings[0]!, /"xray"/);
  assert.match(warnings[0]!, /tracecontext, baggage, b3, b3multi, jaeger, none/);
  injected("xray");
  assert.is(warnings.length, 2); // "xray" is not repeated; the fallback to the default is reported
});

test("only unknown names: warn and use the default", () => {
  assert.equal(Object.keys(injected("ottrace,bogus")).sort(), ["baggage", "traceparent"]);
  assert.ok(warnings.some((w) => /default/.test(w)));
});

test.run();
