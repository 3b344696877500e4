/**
 * An OpenTracing `span.log(fields)` as an OpenTelemetry span event (OTel spec "OpenTracing
 * Compatibility" §Log): the event is named by the `event` field, or `log` without one; the
 * fields are its attributes. An `event: "error"` log becomes an `exception` event under the
 * Exception semantic conventions: from the `error.object` field when it is an error object,
 * else by renaming the OpenTracing log fields `error.kind`, `message` and `stack`
 * (OpenTracing semantic conventions, "Log fields table").
 */
import type { Attributes } from "../common/attributes.ts";
import { toAttributes } from "./convert.ts";

/** A span event: its name and attributes. */
export interface LogEvent {
  name: string;
  attributes: Attributes;
}

/** An OpenTracing error log field's name under the Exception semantic conventions. */
function exceptionKey(key: string): string {
  return key === "error.kind" ? "exception.type" : key === "message" ? "exception.message" : key === "stack" ? "exception.stacktrace" : key;
}

/** The `exception.*` attributes of an error object (as `recordException` reads them). */
function exceptionAttributes(error: object): Attributes {
  const out: Attributes = {};
  const { name, message, stack } = error as { name?: unknown; message?: unknown; stack?: unknown };
  if (typeof name === "string") out["exception.type"] = name;
  if (typeof message === "string") out["exception.message"] = message;
  if (typeof stack === "string") out["exception.stacktrace"] = stack;
  return out;
}

/** The span event for the OpenTracing log `fields`. Never throws. */
export function logEvent(fields: unknown): LogEvent {
  const attributes = toAttributes(fields);
  const event = attributes["event"];
  const name = event === undefined ? "log" : String(event);
  if (name !== "error") return { name, attributes };

  let errorObject: unknown;
  try {
    errorObject = (fields as Record<string, unknown>)["error.object"];
  } catch {
    // a throwing getter: treated as absent
  }
  if (errorObject !== null && typeof errorObject === "object") {
    try {
      // An error object (it has a name, message or stack): RecordException(e) "along the rest
      // of the specified key/value pair set". Anything else falls to the field mapping below.
      const exception = exceptionAttributes(errorObject);
      if (Object.keys(exception).length > 0) {
        const { ["error.object"]: _recorded, ...rest } = attributes;
        return { name: "exception", attributes: { ...rest, ...exception } };
      }
    } catch {
      // a throwing getter on the error: the field mapping below
    }
  }
  const mapped: Attributes = {};
  for (const key of Object.keys(attributes)) mapped[exceptionKey(key)] = attributes[key];
  return { name: "exception", attributes: mapped };
}
