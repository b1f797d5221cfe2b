#!/usr/bin/env node
// The command's entry (package.json "bin": release-gate), bundled by ncc into dist/cli/index.js on its
// own, so that the action's dist/index.js never loads any of it. CommonJS for the same reason as index.cjs.
// A signal that comes while the bundle loads (or a terminal closed at once: SIGHUP) is heard from the first
// line, as in index.cjs, so that --json still prints its one document and the exit code says 'canceled'.
const early = []
const hear = (signal) => early.push(signal)
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP']
for (const signal of signals) process.on(signal, hear)
const stopListening = () => signals.forEach((signal) => process.off(signal, hear))
require('./cli/main.ts').main(undefined, undefined, { heard: early, stopListening })
