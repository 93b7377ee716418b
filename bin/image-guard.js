#!/usr/bin/env node
// Launcher for the image-guard CLI: runs the bundle built by `npm ci` (scripts/build-cli.mjs),
// building it first if a checkout has not been built yet.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const bundle = path.join(__dirname, '..', 'dist', 'image-guard.cjs');
if (!fs.existsSync(bundle)) {
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build-cli.mjs')], {
    stdio: 'inherit',
  });
}
require(bundle);
