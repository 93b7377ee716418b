// Bundles the image-guard CLI into dist/cli/ (run by `npm ci` through `prepare`, and by the test
// setup), so `npx image-guard` starts fast with no TypeScript loader. ESM with code splitting:
// `image-guard --help` loads only the small entry chunk; a command loads the engine when it runs,
// and each AWS SDK client only when first used. Minified; source maps beside the files (node reads
// them only with --enable-source-maps).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'cli');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { 'image-guard': path.join(root, 'bin/image-guard.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  define: { IMAGE_GUARD_VERSION: JSON.stringify(version) },
  // Bundled CommonJS packages call require() for node built-ins; ESM has none, so give them one.
  // Dependencies needed only on some paths are left in node_modules and loaded there on first use:
  // undici only with --ca-file, the AWS SDK only for ECR registries and KMS keys. (Bundled, a
  // dynamically imported CommonJS chunk would also lose its named exports.)
  external: ['undici', '@aws-sdk/*'],
  banner: {
    js: "import { createRequire as __igCreateRequire } from 'node:module'; const require = __igCreateRequire(import.meta.url);",
  },
  metafile: process.env.IMAGE_GUARD_CLI_METAFILE !== undefined,
  logLevel: 'warning',
}).then((result) => {
  if (result.metafile && process.env.IMAGE_GUARD_CLI_METAFILE) {
    return import('node:fs').then((fs) =>
      fs.writeFileSync(process.env.IMAGE_GUARD_CLI_METAFILE, JSON.stringify(result.metafile)),
    );
  }
  return undefined;
});
