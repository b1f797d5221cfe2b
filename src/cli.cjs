#!/usr/bin/env node
// The command's entry (package.json "bin": release-gate), bundled by ncc into dist/cli/index.js on its
// own, so that the action's dist/index.js never loads any of it. CommonJS for the same reason as index.cjs.
require('./cli/main.ts').main()
