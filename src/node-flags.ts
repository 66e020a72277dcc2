// The V8 options vtl runs with: in the `vtl` command's first line (src/main.ts), in `npm start` (package.json) and
// in the launchers of the benchmark and the end-to-end tests; test/integration/node-flags.test.ts keeps them in
// step.
// A young generation of 2 x 8 MiB instead of V8's default 2 x 16 MiB: vtl allocates little per command (buffers
// are pooled, PDUs are parsed in place), so the smaller nursery costs no throughput, and with four drives streaming
// compressible data the process peaked about 30 MiB lower (263-268 -> 229-232 MiB, docs/BENCHMARKS.md).
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
