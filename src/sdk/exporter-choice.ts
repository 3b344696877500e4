/**
 * How a signal part turns its exporter option (or the `OTEL_*_EXPORTER` list) into exporters.
 * `"otlp"` and `"none"` need no import; `"console"` is a choice by name, so its exporter comes
 * from the selection the SDK has: complete on Node, Deno and Bun, and one import away
 * elsewhere (`selectByName()`), so a Worker or page never bundles console exporters it does
 * not name.
 */
import { diagOnce } from "../common/diag.ts";
import type { ExporterChoice } from "./options.ts";
import type { SdkBuild } from "./part.ts";

/** The exporters of one signal: the option if given, else those `variable` names, else OTLP. */
export function chosenExporters<T>(build: SdkBuild, option: ExporterChoice<T> | undefined, variable: string, pull?: (name: string) => boolean): ExporterChoice<T>[] {
  return option !== undefined ? [option] : (build.select.exporters(build.env, variable, pull) ?? ["otlp"]);
}

/**
 * The console pipeline `make` builds (from the selection), or undefined when the program does
 * not import the by-name selection: a configuration error when the option named it, a warning
 * (and nothing exported to the console) when the environment did.
 */
export function consolePipeline<P>(make: (() => P) | undefined, fromOption: boolean, optionName: string, variable: string): P | undefined {
  if (make) return make();
  const fix = 'pass parts: [selectByName()] (imported from this entry), or an exporter object such as new ConsoleSpanExporter()';
  if (fromOption) throw new TypeError(`Cannot init: options.${optionName} "console" is a choice by name, which this program does not import: ${fix}.`);
  diagOnce("warn", `console-${variable}`, `${variable}=console is a choice by name, which this program does not import: ${fix}. Nothing is written to the console.`);
  return undefined;
}
