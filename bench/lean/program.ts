// The measured program: scripts/size.mjs's "Workers instrument(handler)", on the lean core.
import { instrument } from "./instrument.ts";

export default instrument(
  {
    async fetch(request: Request, env: unknown, ctx: unknown) { return new Response("ok"); },
    async scheduled(controller: unknown, env: unknown, ctx: unknown) {},
    async queue(batch: unknown, env: unknown, ctx: unknown) {},
  },
  (env: Record<string, unknown>) => ({ env, serviceName: "edge-api" }),
);
