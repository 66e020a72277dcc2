// Imported first by main.ts: libuv sizes its thread pool when it is first used, from UV_THREADPOOL_SIZE. Every
// mounted cartridge can have a file write and a background fdatasync on the pool at once (FORMAT.md "Writing"),
// besides reads; the default of 4 threads would let four busy drives starve each other.
const POOL_THREADS = 16;
process.env.UV_THREADPOOL_SIZE ??= String(POOL_THREADS);
