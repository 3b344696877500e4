// A real OTLP/HTTP collector stand-in on 127.0.0.1 that misbehaves on request: answers with a
// chosen status, hangs, answers slowly, cuts the connection mid-response, or reports a partial
// success. It records every request (path, parsed body, arrival time) and, per signal path,
// how many requests were open at the same time, so tests can check "one export in flight".
//
//   const server = await startFaultServer(() => ({ kind: "status", status: 503 }));
//   init({ otlp: { endpoint: server.url } });
//   ...
//   server.maxConcurrent["/v1/traces"]  // ≤ 1
//   await server.close();
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

/** What the server does with one request. */
export type Fault =
  | { kind: "ok" }
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string> }
  /** Accepts the request and never answers (until the client gives up or the server closes). */
  | { kind: "hang" }
  /** Answers with `then` after `delayMillis`. */
  | { kind: "slow"; delayMillis: number; then: Fault }
  /** Sends `status` headers and half a body, then destroys the socket. */
  | { kind: "cut"; status?: number }
  /** 200 with `partialSuccess` rejecting `rejected` items of the signal. */
  | { kind: "partial"; rejected: number; message?: string };

/** Chooses the fault for the `n`-th request (0-based) on `path`. */
export type Behaviour = (path: string, n: number) => Fault;

/** One request the server read completely. */
export interface ReceivedRequest {
  path: string;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: any;
  /** `Date.now()` when the body had been read. */
  at: number;
}

/** A running fault server. */
export interface FaultServer {
  /** Base URL (`http://127.0.0.1:<port>`); exporters append `/v1/<signal>`. */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Requests open now, per path. */
  inFlight: Record<string, number>;
  /** The most requests ever open at once, per path. */
  maxConcurrent: Record<string, number>;
  /** Replaces the behaviour (e.g. "the collector comes back"). */
  setBehaviour(behaviour: Behaviour): void;
  /** Requests received on `path`. */
  on(path: string): ReceivedRequest[];
  /** Resolves once `cond()` holds (checked every 5 ms); rejects after `timeoutMillis`. */
  waitFor(cond: () => boolean, timeoutMillis?: number): Promise<void>;
  close(): Promise<void>;
}

const REJECTED_FIELD: Record<string, string> = {
  "/v1/traces": "rejectedSpans",
  "/v1/logs": "rejectedLogRecords",
  "/v1/metrics": "rejectedDataPoints",
};

/** Starts a fault server on 127.0.0.1 with a random port. */
export async function startFaultServer(behaviour: Behaviour): Promise<FaultServer> {
  let current = behaviour;
  const requests: ReceivedRequest[] = [];
  const counts: Record<string, number> = {};
  const inFlight: Record<string, number> = {};
  const maxConcurrent: Record<string, number> = {};
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    // A request counts as open from two event-loop turns after it arrived until its response
    // closed. Why the delay: when a client aborts request A (closing its socket) and then opens
    // request B, the server can learn of both in the same poll phase, and Node may run B's
    // 'request' before A's 'close' callback (close callbacks run last in a loop iteration).
    // Causally A ended first; the delay lets A's close be processed, so "open at once" means
    // overlapping in fact, not in callback order. Requests that stay open (hang, slow) count.
    let counted = false;
    let open = true;
    setImmediate(() =>
      setImmediate(() => {
        if (!open) return;
        counted = true;
        inFlight[path] = (inFlight[path] ?? 0) + 1;
        maxConcurrent[path] = Math.max(maxConcurrent[path] ?? 0, inFlight[path]!);
      }),
    );
    const done = (): void => {
      if (!open) return;
      open = false;
      if (counted) inFlight[path]!--;
    };
    // 'close' fires when the response finished or the connection went away (client abort).
    res.on("close", done);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => {});
    req.on("end", () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = undefined;
      }
      requests.push({ path, body, at: Date.now() });
      const n = counts[path] ?? 0;
      counts[path] = n + 1;
      respond(current(path, n), path, res);
    });
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  function respond(fault: Fault, path: string, res: http.ServerResponse): void {
    if (res.destroyed) return;
    switch (fault.kind) {
      case "ok":
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
        return;
      case "status":
        res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
        res.end(fault.body ?? "");
        return;
      case "hang":
        return;
      case "slow": {
        const t = setTimeout(() => {
          timers.delete(t);
          respond(fault.then, path, res);
        }, fault.delayMillis);
        timers.add(t);
        return;
      }
      case "cut":
        res.writeHead(fault.status ?? 200, { "content-type": "application/json", "content-length": "64" });
        res.write('{"partialSucc');
        setImmediate(() => res.socket?.destroy());
        return;
      case "partial": {
        const field = REJECTED_FIELD[path] ?? "rejectedSpans";
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ partialSuccess: { [field]: String(fault.rejected), errorMessage: fault.message ?? "some items were invalid" } }));
        return;
      }
    }
  }

  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    inFlight,
    maxConcurrent,
    setBehaviour(b) {
      current = b;
    },
    on: (path) => requests.filter((r) => r.path === path),
    async waitFor(cond, timeoutMillis = 5000) {
      const end = Date.now() + timeoutMillis;
      while (!cond()) {
        if (Date.now() > end) throw new Error("fault server: condition not reached in time");
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
