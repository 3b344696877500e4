/**
 * `init()` from a declarative configuration file (OpenTelemetry configuration, file format 1.0):
 * `OTEL_CONFIG_FILE` names the file, or `init({ config })` gives its text or its parsed object.
 * With a file, the other `OTEL_*` variables are ignored, except inside `${...}` substitutions
 * (spec: configuration/sdk-environment-variables.md, "Declarative configuration"). The file is
 * parsed, checked against the schema and mapped to options before anything is built, so an
 * error — with the file, the line, the path and what was expected — leaves nothing registered.
 *
 * The Node, Bun and Deno entries call {@link initWithConfig}; they pass the function that reads
 * a file, the only runtime-specific step. The Workers and browser entries, and programs wired by
 * hand from the core entry, do not import this folder.
 */
import { describe } from "../common/describe.ts";
import { setDiagLogLevel } from "../common/diag.ts";
import { envString } from "../common/env.ts";
import { buildResourceWith } from "../resource/detect.ts";
import { initFull, allParts } from "../sdk/full-init.ts";
import { initSdk, type FullSdk, type RuntimePreset } from "../sdk/init.ts";
import type { InitOptions } from "../sdk/options.ts";
import { SPEC_DEFAULTS } from "../sdk/spec-defaults.ts";
import { VERSION } from "../version.ts";
import { checkNode, configurationSchema } from "./schema.ts";
import { optionsFromConfig } from "./to-options.ts";
import { parseYaml } from "./yaml.ts";

/** A configuration: the text of a YAML (or JSON) file, or the document already parsed into an object. */
export type ConfigInput = string | Readonly<Record<string, unknown>>;

/** The `init()` option of the Node, Bun and Deno entries that takes a configuration instead of `OTEL_CONFIG_FILE`. */
export interface ConfigOption {
  /**
   * An OpenTelemetry configuration (file format 1.0): the file's text (YAML or JSON, `${VAR}`
   * substituted from `env`) or its parsed object (taken as is: no substitution). Default: the
   * file `OTEL_CONFIG_FILE` names, if set. With a configuration, the other `OTEL_*` variables
   * are ignored, and only `env`, `contextManager`, `idGenerator`, `resourceAttributes` (under
   * the file's), `bridgeConsole`, `selfObservability`, `parts` and `runtimeMetrics` may be given
   * beside it.
   */
  config?: ConfigInput;
}

/** Options that a configuration does not cover, so code may still give them. */
const BESIDE_CONFIG = /* @__PURE__ */ new Set(["env", "contextManager", "idGenerator", "resourceAttributes", "bridgeConsole", "selfObservability", "parts", "runtimeMetrics", "config"]);

/**
 * The entries' `init()`: from `options.config`, else from the file `OTEL_CONFIG_FILE` names
 * (read with `readText`), else the options and `OTEL_*` variables as usual ({@link initFull}).
 *
 * @throws TypeError/RangeError naming the file, line and property of a configuration error.
 */
export function initWithConfig(options: InitOptions & ConfigOption, preset: Omit<RuntimePreset, "parts" | "select">, readText: (path: string) => string): FullSdk {
  const { config, ...rest } = options;
  const path = config === undefined ? envString(rest.env, "OTEL_CONFIG_FILE") : undefined;
  if (config === undefined && path === undefined) return initFull(rest, preset);
  for (const key of Object.keys(rest)) {
    if (!BESIDE_CONFIG.has(key) && rest[key as keyof InitOptions] !== undefined) {
      throw new TypeError(`Cannot init: options.${key} cannot be combined with a configuration file (${path === undefined ? "options.config" : `OTEL_CONFIG_FILE=${path}`}): set it in the file.`);
    }
  }
  const file = path ?? "options.config";
  let source: ConfigInput | undefined = config;
  if (path !== undefined) {
    try {
      source = readText(path);
    } catch (e) {
      throw new TypeError(`Cannot init: OTEL_CONFIG_FILE=${path} cannot be read (${describe(e)}).`);
    }
  }
  const { value, lines } = typeof source === "string" ? parseYaml(source, file, rest.env) : { value: source, lines: new Map<string, number>() };
  const format = (value as { file_format?: unknown } | null)?.file_format;
  const at = {
    newer: typeof format === "string" && /^1\.[1-9]/.test(format),
    fail(where: string, message: string, range?: boolean): never {
      // The line of the property, else of the nearest enclosing one that has a line.
      let line: number | undefined;
      for (let p = where; line === undefined && p; p = p.replace(/(?:^|\.)[^.[\]]*$|\[\d+\]$/, "")) line = lines.get(p);
      throw new (range ? RangeError : TypeError)(`Cannot init: ${file}${line ? `:${line}` : ""}: ${where || "the document"}: ${message}.`);
    },
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) at.fail("", "expected a mapping with file_format");
  checkNode(value, configurationSchema(), "", at);
  // Spec (opentelemetry-configuration VERSIONING.md): a reader accepts the major version it was written for.
  if (!/^1\.\d+(?:-[\w.]+)?$/.test(format as string)) at.fail("file_format", `expected "1.0" (or another 1.x), got ${JSON.stringify(format)}`);
  const configured = optionsFromConfig(value as Record<string, unknown>, at);
  const resource = buildResourceWith(
    {
      attributes: { ...rest.resourceAttributes, ...configured.resourceAttributes },
      schemaUrl: configured.schemaUrl,
      sdkVersion: VERSION,
      sdkLanguage: preset.sdkLanguage,
      defaultServiceName: preset.defaultServiceName,
    },
    {},
  );
  if (configured.logLevel !== undefined) setDiagLogLevel(configured.logLevel);
  const { env: _env, resourceAttributes: _attributes, ...code } = rest;
  const all = { ...configured.options, ...code, resource };
  // No `env`: with a configuration file, OTEL_* variables are not read (SPEC_DEFAULTS reads none).
  return initSdk(all, { ...preset, select: SPEC_DEFAULTS, parts: allParts(all) }) as FullSdk;
}
