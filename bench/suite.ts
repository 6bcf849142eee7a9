// The contract every benchmark suite in bench/suites/ follows.

export interface BenchMetric {
  /** Stable metric name, e.g. "logs.raw_grpc_lines_per_s". */
  name: string;
  value: number;
  unit: string;
  /** What the figure was measured with (counts, concurrency, sizes). */
  params?: Record<string, string | number | boolean>;
}

export interface BenchSuite {
  /** Short name used by `npm run bench -- <name>` to run only this suite. */
  name: string;
  description: string;
  run(): Promise<BenchMetric[]>;
}
