#!/usr/bin/env node
// release-gate, the command. The action's bundle holds it: the mark says which of the two to start.
globalThis[Symbol.for('release-gate.command')] = true
require('../index.js')
