// The memory the object index takes for a large cartridge (FORMAT.md "Index"): ten million objects, one filemark
// per thousand, appended as the writer would. Not a test (its figure depends on the runtime): run it by hand,
// `node --import tsx bench/index-memory.ts`, and compare with the figure FORMAT.md states.
import { ObjectIndex } from '../src/media/object-index.js';

const OBJECTS = 10_000_000;
const before = process.memoryUsage().arrayBuffers;
const index = ObjectIndex.empty(16);
for (let n = 0; n < OBJECTS; n++) index.append(n % 1000 === 0, index.endOffset, 540);
const grown = process.memoryUsage().arrayBuffers - before;
console.log(`index of ${OBJECTS} objects (${index.filemarkCount} filemarks): ${(grown / 1024 / 1024).toFixed(1)} MiB of array buffers`);
