/**
 * `configFile()`: the part that lets `init()` read a declarative configuration file
 * (`OTEL_CONFIG_FILE`, or `init({ config })`). Reading one takes a YAML parser, the schema and
 * its mapping onto options — about 12 KiB gzip — so, like every choice a program may not need,
 * it comes with an import (DESIGN, "Pay for what you use"): a program that does not pass this
 * part does not bundle it, and its `init()` refuses a configuration file with an error naming
 * this import rather than ignoring the file (spec: with `OTEL_CONFIG_FILE` set, the other
 * `OTEL_*` variables no longer configure the SDK, so building one from them would be wrong).
 */
import type { SdkPart } from "../sdk/part.ts";
import { initWithConfig } from "./config-init.ts";

/** The part {@link configFile} returns: it carries the reader the Node, Bun and Deno entries call. */
export interface ConfigFilePart extends SdkPart {
  readonly kind: "config";
  /** Builds the SDK from the configuration (see `initWithConfig`). */
  readonly initFromConfig: typeof initWithConfig;
}

/**
 * The configuration-file part, for `init({ parts: [configFile()] })` on Node, Bun and Deno:
 * then `init()` builds the SDK from the file `OTEL_CONFIG_FILE` names, or from `options.config`.
 *
 * @example
 * ```ts
 * import { configFile, init } from "otel-edge";
 * const sdk = init({ parts: [configFile()] }); // OTEL_CONFIG_FILE=otel.yaml node app.js
 * ```
 */
export function configFile(): ConfigFilePart {
  // It builds nothing itself: the entry hands the whole start-up to `initFromConfig`.
  return { kind: "config", start: () => undefined, initFromConfig: initWithConfig };
}
