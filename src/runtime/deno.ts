/**
 * The deno entry (being written: see issue 5). Until then it is the core.
 *
 * @module
 */
export * from "../../mod.ts";
