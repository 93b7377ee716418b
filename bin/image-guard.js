#!/usr/bin/env node
// Launcher for the image-guard CLI: runs the bundle built by `npm ci` (scripts/build-cli.mjs),
// building it first if a checkout has not been built yet.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const bundle = path.join(__dirname, '..', 'dist', 'cli', 'image-guard.mjs');
if (!fs.existsSync(bundle)) {
  require('node:child_process').execFileSync(
    process.execPath,
    [path.join(__dirname, '..', 'scripts', 'build-cli.mjs')],
    {
      stdio: 'inherit',
    },
  );
}
import(pathToFileURL(bundle).href).catch((error) => {
  process.stderr.write(
    `image-guard: cannot start (${error instanceof Error ? error.message : String(error)})\n`,
  );
  process.exitCode = 2;
});
