// Captured headers that carry URLs (`Referer`, `Location`, `Content-Location`, ...) get the same
// redaction as `url.full` (issue 18): credentials become REDACTED:REDACTED, the values of
// sensitive query keys REDACTED, fragments are dropped — for absolute URLs and for a value that
// is a relative reference (`Location: /callback?code=...`), and before the value is cut to its
// length limit. The default key list covers the common credential names the README lists.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { instrumentFetch } from "../../src/instrument/fetch.ts";
import { instrumentHandler } from "../../src/instrument/handler.ts";
import { MAX_CAPTURED_HEADER_LENGTH } from "../../src/instrument/http-headers.ts";
import { createQueryRedactor, DEFAULT_SENSITIVE_QUERY_KEYS } from "../../src/instrument/http-semconv.ts";
import { instrumentNodeListener } from "../../src/instrument/node-listener.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { createTelemetry, takeSpans, startServer } from "../instrument/helpers.ts";

const t = createTelemetry();
const opts = { tracerProvider: t.tracerProvider, meterProvider: t.meterProvider };
const SECRETS = ["glpat-SECRET1", "pw-SECRET2", "AUTHCODE-SECRET3", "frag-SECRET4", "AKIA-SECRET5", "sig-SECRET6", "refresh-SECRET7"];

const spans = (): Promise<ReadableSpan[]> => takeSpans(t);

function assertNoSecrets(attributes: Record<string, unknown>): void {
  const text = JSON.stringify(attributes);
  for (const s of SECRETS) assert.not.ok(text.includes(s), `secret ${s} recorded: ${text}`);
}

test("the default keys: the README's list, each redacted whatever its case; other keys kept", () => {
  const redact = createQueryRedactor();
  for (const key of ["auth", "private_token", "code", "refresh_token", "id_token", "api-key", "apikey", "access_token", "client_secret", "password", "token", "sig", "signature", "X-Amz-Signature", "AWSAccessKeyId", "Signature", "X-Goog-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "key", "api_key", "secret"]) {
    assert.ok(DEFAULT_SENSITIVE_QUERY_KEYS.includes(key.toLowerCase()), `${key} in the default list`);
    assert.is(redact(`?q=1&${key}=v`), `?q=1&${key}=REDACTED`, key);
    assert.is(redact(`?${key.toUpperCase()}=v`), `?${key.toUpperCase()}=REDACTED`, `${key} upper case`);
  }
  assert.is(redact("?author=a&design=b&region=c&state=s"), "?author=a&design=b&region=c&state=s");
  for (const key of DEFAULT_SENSITIVE_QUERY_KEYS) assert.is(key, key.toLowerCase(), "keys are stored lower case");
});

test("instrumentNodeListener: Referer and Location redacted like url.full, absolute and relative", async () => {
  const server: Server = createServer(
    instrumentNodeListener((_req, res) => {
      res.setHeader("location", `/callback?code=${SECRETS[2]}&state=xyz#access_token=${SECRETS[3]}`);
      res.setHeader("content-location", `https://bucket.s3.example/o?X-Amz-Credential=${SECRETS[4]}&X-Amz-Signature=${SECRETS[5]}&x=1`);
      res.statusCode = 302;
      res.end();
    }, { ...opts, captureRequestHeaders: ["referer"], captureResponseHeaders: ["location", "content-location"] }),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    await new Promise<void>((resolve, reject) => {
      const referer = `https://user:${SECRETS[1]}@app.example/page?private_token=${SECRETS[0]}&q=ok#${SECRETS[3]}`;
      const req = httpRequest({ host: "127.0.0.1", port, path: "/n", headers: { referer } }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end();
    });
    const [span] = await spans();
    assert.equal(span.attributes["http.request.header.referer"], ["https://REDACTED:REDACTED@app.example/page?private_token=REDACTED&q=ok"]);
    assert.equal(span.attributes["http.response.header.location"], ["/callback?code=REDACTED&state=xyz"]);
    assert.equal(span.attributes["http.response.header.content-location"], ["https://bucket.s3.example/o?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&x=1"]);
    assertNoSecrets(span.attributes);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("instrumentFetch against a real server: sent Referer and received Location redacted; extra keys apply", async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { location: `https://idp.example/done?refresh_token=${SECRETS[6]}&session=s1` });
    res.end("ok");
  });
  try {
    const f = instrumentFetch(fetch, { ...opts, redactQueryKeys: ["session"], captureRequestHeaders: ["referer"], captureResponseHeaders: ["location"] });
    await (await f(`${server.url}/c`, { headers: { referer: `https://app.example/p?sig=${SECRETS[5]}` } })).text();
    const [span] = await spans();
    assert.equal(span.attributes["http.request.header.referer"], ["https://app.example/p?sig=REDACTED"]);
    assert.equal(span.attributes["http.response.header.location"], ["https://idp.example/done?refresh_token=REDACTED&session=REDACTED"]);
    assertNoSecrets(span.attributes);
  } finally {
    await server.close();
  }
});

test("instrumentHandler: redacted before the value is cut, so a token across the cut never leaks a prefix", async () => {
  const h = instrumentHandler(() => new Response("ok", { headers: { location: "/next?x=" + "y".repeat(1000) + `&access_token=${SECRETS[0]}` } }), {
    ...opts,
    captureRequestHeaders: ["referer"],
    captureResponseHeaders: ["location"],
  });
  // The secret starts a few characters before the cut at MAX_CAPTURED_HEADER_LENGTH.
  const pad = "p".repeat(MAX_CAPTURED_HEADER_LENGTH - "https://a.example/?pad=&password=".length - 4);
  await h(new Request("https://shop.example/a", { headers: { referer: `https://a.example/?pad=${pad}&password=${SECRETS[1]}` } }));
  const [span] = await spans();
  const referer = (span.attributes["http.request.header.referer"] as string[])[0];
  assert.ok(referer.length <= MAX_CAPTURED_HEADER_LENGTH);
  assert.match(referer, /&password=REDA?C?T?E?D?$/, "cut inside the REDACTED that replaced the secret");
  assert.ok((span.attributes["http.response.header.location"] as string[])[0].startsWith("/next?x=yyy"));
  assertNoSecrets(span.attributes);
  assert.not.ok(JSON.stringify(span.attributes).includes("pw-"), "no prefix of the secret");
});

test("header values that are not URLs are recorded as they were", async () => {
  const h = instrumentHandler(() => new Response("ok"), { ...opts, captureRequestHeaders: ["accept", "x-note", "x-path"] });
  await h(new Request("https://shop.example/a", { headers: { accept: "text/html;q=0.9, */*;q=0.8", "x-note": "what? token=kept (not a URL)", "x-path": "/plain/path" } }));
  const [span] = await spans();
  assert.equal(span.attributes["http.request.header.accept"], ["text/html;q=0.9, */*;q=0.8"]);
  assert.equal(span.attributes["http.request.header.x-note"], ["what? token=kept (not a URL)"]);
  assert.equal(span.attributes["http.request.header.x-path"], ["/plain/path"]);
});

test.run();
