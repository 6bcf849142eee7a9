// State collection: keeps every machine's live state and health current in the database (docs/health.md).
export { type Collector, startCollector } from "./collector";
export type { CollectorOptions } from "./options";
