// Bundles the image-guard CLI into dist/image-guard.cjs (run by `npm ci` through `prepare`,
// and by the test setup), so `npx image-guard` starts fast with no TypeScript loader.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [path.join(root, 'bin/image-guard.ts')],
  outfile: path.join(root, 'dist/image-guard.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
});
