// The first step of npm run bundle: an empty dist/ and a .tmp/ for ncc's stats, in Node so that the step
// runs the same from cmd.exe and PowerShell on Windows (npm runs scripts with cmd.exe there, which has no
// `rm -rf` or `mkdir -p`) as from a POSIX shell.
import { mkdirSync, rmSync } from 'node:fs'

rmSync('dist', { recursive: true, force: true })
rmSync('.tmp/ncc-stats.json', { force: true })
mkdirSync('.tmp', { recursive: true })
