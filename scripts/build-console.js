// Builds the web console into dist/src/management/web/assets/, where console-assets.ts serves it from: the
// TypeScript under src/management/web/client/ bundled into one ES module by esbuild (type-checked beforehand by
// `tsc -p src/management/web/client`), next to the page, the style sheet and the icon copied as they are.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const source = join(root, 'src/management/web');
const out = join(root, 'dist/src/management/web/assets');

await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(source, 'client/main.ts')],
  outfile: join(out, 'console.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  // The source map names paths relative to the repository, not this machine's.
  sourceRoot: '/',
  logLevel: 'warning',
  legalComments: 'linked',
});
for (const name of await readdir(join(source, 'assets'))) await copyFile(join(source, 'assets', name), join(out, name));
