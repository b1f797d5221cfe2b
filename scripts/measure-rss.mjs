// Loaded with `node --import` by the benchmark: records the process's peak memory when it exits.
import { writeFileSync } from 'node:fs'

const file = process.env.RELEASE_GATE_BENCH_RSS_FILE
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)))
