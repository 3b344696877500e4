import { instrument } from "../../../src/runtime/workers.ts";
import { app, config } from "./app.mjs";
export default instrument(app, config);
