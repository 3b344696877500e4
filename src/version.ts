/** The SDK version, reported as `telemetry.sdk.version`. Kept in step with package.json by `scripts/check-exports.mjs`. */
export const VERSION: string = "0.1.0";
