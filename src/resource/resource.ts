/**
 * A Resource: the entity producing telemetry (`service.name`, SDK identity, host or
 * runtime attributes). Spec: https://opentelemetry.io/docs/specs/otel/resource/sdk/
 */
import type { Attributes } from "../common/attributes.ts";

/** Attributes describing the source of telemetry. */
export interface Resource {
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
  readonly droppedAttributesCount?: number;
}
