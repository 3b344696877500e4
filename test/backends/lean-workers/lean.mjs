import { instrument } from "../../../bench/lean/instrument.ts";
import { app, config } from "./app.mjs";
export default instrument(app, config);
