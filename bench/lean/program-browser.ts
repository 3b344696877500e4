// The measured browser program: scripts/size.mjs's "Browser init + traced fetch", on the lean core.
import { init, installFetchInstrumentation } from "./browser.ts";

init({ serviceName: "shop-web", otlp: { endpoint: "https://collector.example.com" } });
installFetchInstrumentation({ propagateTo: [location.origin] });
