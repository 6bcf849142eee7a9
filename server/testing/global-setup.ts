// Vitest global setup: prepares the test database (filled in by the foundation work).
export default async function setup(): Promise<void> {}
