import { initRum } from "./rum.ts";

initRum({ serviceName: "shop-web", otlp: { endpoint: "https://collector.example.com" } });
