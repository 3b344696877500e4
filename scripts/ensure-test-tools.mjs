// Installs, once and before any suite runs, the real peers the conformance suites use
// (Debian's prometheus + prometheus-pushgateway for promtool, a real scrape and a real
// Pushgateway). Suites run in parallel, so installing here avoids concurrent apt-get runs
// fighting over the dpkg lock. As root it installs what is missing; otherwise it says how.
import { ensurePrometheusTools } from "./prometheus-tools.mjs";

try {
  const tools = ensurePrometheusTools();
  console.log(`test tools: promtool ${tools.promtool}, prometheus ${tools.prometheus}, pushgateway ${tools.pushgateway}`);
} catch (err) {
  console.error(`test tools: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
