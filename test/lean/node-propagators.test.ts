// OTEL_PROPAGATORS on the lean Node core (bench/lean/propagators.ts) against the product's
// propagatorFromEnv (src/propagation/from-env.ts): for each value of a table, the same headers
// injected from a span context (sampled or not, under suppression), and the same span context
// extracted from carriers of every format (B3 single and multi, 64-bit ids, debug, Jaeger with
// percent-encoding, W3C), including malformed and repeated headers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { propagatorFromEnv as productFromEnv } from "../../src/propagation/from-env.ts";
import { defaultTextMapGetter, defaultTextMapSetter } from "../../src/propagation/text-map.ts";
import { getSpanContext, setSpanContext } from "../../src/trace/span-in-context.ts";
import { ROOT_CONTEXT as P_ROOT } from "../../src/context/context.ts";
import { suppressTracing } from "../../src/trace/suppress.ts";
import { ROOT_CONTEXT, SPAN_KEY, SUPPRESS_KEY } from "../../bench/lean/context-core.ts";
import { nonRecordingSpan } from "../../bench/lean/propagation.ts";
import { propagatorFromEnv } from "../../bench/lean/propagators.ts";

diag.disable();
console.warn = () => {};

const VALUES = [undefined, "tracecontext,baggage", "b3", "b3multi", "jaeger", "none", "b3,jaeger", "jaeger,b3multi", " B3 , none ", "bogus", "bogus,b3", "tracecontext,b3"];
const SC = [
  { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1, isRemote: false },
  { traceId: "0000000000000000e457b5a2e4d86bd1", spanId: "05e3ac9a4f6e3b90", traceFlags: 0, isRemote: false },
];
const CARRIERS: Array<Record<string, string | string[]>> = [
  { b3: "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90" },
  { b3: "e457b5a2e4d86bd1-05e3ac9a4f6e3b90-d" },
  { b3: "e457b5a2e4d86bd1-05e3ac9a4f6e3b90-0" },
  { b3: "e457b5a2e4d86bd1-05e3ac9a4f6e3b90" },
  { b3: "bad-value", "x-b3-traceid": "e457b5a2e4d86bd1", "x-b3-spanid": "05e3ac9a4f6e3b90", "x-b3-sampled": "true" },
  { "X-B3-TraceId": "80f198ee56343ba864fe8b2a57d3eff7", "X-B3-SpanId": "e457b5a2e4d86bd1", "X-B3-Flags": "1" },
  { "x-b3-traceid": "80f198ee56343ba864fe8b2a57d3eff7", "x-b3-spanid": "0000000000000000", "x-b3-sampled": "1" },
  { b3: ["e457b5a2e4d86bd1-05e3ac9a4f6e3b90-1", "e457b5a2e4d86bd1-05e3ac9a4f6e3b91-1"] },
  { "uber-trace-id": "80f198ee56343ba864fe8b2a57d3eff7:e457b5a2e4d86bd1:0:1" },
  { "uber-trace-id": "e457b5a2e4d86bd1%3A5a2e4d86bd1%3A0%3A3" },
  { "uber-trace-id": "abc:def:0:0" },
  { "uber-trace-id": "abc:def:0:2" },
  { "uber-trace-id": "0:def:0:1" },
  { "uber-trace-id": "%zz:1:0:1" },
  { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "a=1", b3: "e457b5a2e4d86bd1-05e3ac9a4f6e3b90-0" },
  { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", "uber-trace-id": "1:2:0:1" },
  {},
];

const pick = (sc: { traceId: string; spanId: string; traceFlags: number; isRemote?: boolean } | undefined) => sc && { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags & 1, isRemote: sc.isRemote };

for (const value of VALUES) {
  test(`OTEL_PROPAGATORS=${JSON.stringify(value)}: the product's headers and extracted contexts`, () => {
    const ours = productFromEnv(value);
    const lean = propagatorFromEnv(value);
    for (const sc of SC) {
      for (const suppressed of [false, true]) {
        const a: Record<string, string> = {};
        const b: Record<string, string> = {};
        let pc = setSpanContext(P_ROOT, sc);
        if (suppressed) pc = suppressTracing(pc);
        let lc = ROOT_CONTEXT.setValue(SPAN_KEY, nonRecordingSpan(sc));
        if (suppressed) lc = lc.setValue(SUPPRESS_KEY, true);
        ours.inject(pc, b, defaultTextMapSetter);
        lean.inject(lc, a);
        assert.equal(a, b, `inject ${JSON.stringify(sc)} suppressed=${suppressed}`);
      }
    }
    for (const carrier of CARRIERS) {
      const b = pick(getSpanContext(ours.extract(P_ROOT, carrier, defaultTextMapGetter)));
      const sc = lean.extract(ROOT_CONTEXT, carrier).getValue(SPAN_KEY) as { spanContext(): never } | undefined;
      assert.equal(pick(sc?.spanContext()), b, `extract ${JSON.stringify(carrier)}`);
    }
  });
}

test.run();
