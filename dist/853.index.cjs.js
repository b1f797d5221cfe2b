"use strict";
exports.id = 853;
exports.ids = [853];
exports.modules = {

/***/ 2971:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ hashOf)
/* harmony export */ });
// Looked up once: a global looked up in the loop is slow where globals are (vm contexts, e.g. jest).
const imul = Math.imul;
/**
 * A 53-bit hash of `text.slice(from, to)` (cyrb53), without making that string: what the step keeps
 * of a line it has shown, to know it again without keeping its text.
 */
function hashOf(text, from = 0, to = text.length) {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let i = from; i < to; i++) {
        const c = text.charCodeAt(i);
        h1 = imul(h1 ^ c, 2654435761);
        h2 = imul(h2 ^ c, 1597334677);
    }
    h1 = imul(h1 ^ (h1 >>> 16), 2246822507) ^ imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = imul(h2 ^ (h2 >>> 16), 2246822507) ^ imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}


/***/ }),

/***/ 7853:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  otter: () => (/* binding */ otter)
});

// EXTERNAL MODULE: ./src/config/gate-config.ts + 3 modules
var gate_config = __webpack_require__(5073);
// EXTERNAL MODULE: ./src/http/explain.ts
var explain = __webpack_require__(1071);
// EXTERNAL MODULE: ./src/http/failure.ts
var failure = __webpack_require__(2398);
// EXTERNAL MODULE: ./src/engine/gate-error.ts
var gate_error = __webpack_require__(192);
// EXTERNAL MODULE: ./src/systems/line-hash.ts
var line_hash = __webpack_require__(2971);
;// CONCATENATED MODULE: ./src/systems/whole-log.ts

/**
 * For APIs that return the whole log on every call: reads each answer as a stream, hands out only
 * the lines not shown before, and decides when a fetch is worth its bytes.
 *
 * Memory does not grow with the log's text: of what was shown it keeps one 53-bit hash per line (8
 * bytes a line, 4 MB for 500,000 lines), never the text. An answer is read line by line as it
 * arrives: while its lines hash as the shown ones did, in order, they are skipped without being
 * kept; the lines past them are new, handed out in batches as they come. A line that differs from
 * the shown one at its place means the server rewrote or reordered the log: from there on, each line
 * is looked up among the hashes of the shown lines not yet met in this answer, and only a line found
 * there no more is new.
 *
 * Lines handed out are taken as shown (commit on hand-out), so an answer cut off halfway leaves a
 * consistent state: the next answer skips what was handed out and nothing shows twice.
 */
class WholeLog {
    startedAt;
    smallBytes;
    minGapMs;
    batch;
    /** Hashes of the shown log's lines, in order: `count` of them. */
    hashes = new Float64Array(1024);
    count = 0;
    /** The length of the shown log's complete lines (UTF-16 units, as the old text comparison counted). */
    shownChars = 0;
    lastFetchAt;
    lastSize = 0;
    reading;
    constructor(startedAt, 
    /** Below this size a log is cheap: fetch it every few seconds, so it streams live. */
    smallBytes = 32 * 1024, 
    /**
     * The least time between two fetches. Status checks come about a second apart at first; fetching
     * the log at each of them too would double the requests and pass one per second on average.
     */
    minGapMs = 3000, 
    /** The most lines handed out at once, and the text they may hold: what one answer keeps at most, unless rewritten. */
    batch = { lines: 2000, chars: 128 * 1024 }) {
        this.startedAt = startedAt;
        this.smallBytes = smallBytes;
        this.minGapMs = minGapMs;
        this.batch = batch;
    }
    /**
     * Past the small size, wait at least as long as the job had run at the previous fetch, so fetches
     * happen at doubling times. For a log that grows steadily the earlier downloads then add up to at
     * most twice the final log, and the final fetch to one more: under 3× the final size in all.
     */
    worthFetching(now, final) {
        if (final || this.lastFetchAt === undefined)
            return true;
        const gap = now - this.lastFetchAt;
        if (gap < this.minGapMs)
            return false;
        return this.lastSize < this.smallBytes || gap >= this.lastFetchAt - this.startedAt;
    }
    /**
     * Starts reading an answer; called again for every attempt. Whatever an unfinished earlier answer
     * handed out stays shown; what it held back is dropped, to come again.
     */
    begin(final) {
        this.reading = { final, line: 0, chars: 0, tail: [], tailChars: 0, pending: [], pendingHashes: [], pendingChars: 0, shownCharsAtStart: this.shownChars };
    }
    /** The next piece of the answer; returns the batches of new lines ready to show, already taken as shown. */
    text(chunk) {
        const reading = this.current();
        const out = [];
        let start = 0;
        for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
            if (reading.tail.length > 0) {
                // A line that began in an earlier piece: only such lines are put together, so a line without end costs no copying.
                const line = reading.tail.join('') + chunk.slice(start, nl);
                reading.tail = [];
                reading.tailChars = 0;
                this.line(reading, line, 0, line.length, out);
            }
            else
                this.line(reading, chunk, start, nl, out);
            start = nl + 1;
        }
        if (start < chunk.length) {
            reading.tail.push(start === 0 ? chunk : chunk.slice(start));
            reading.tailChars += chunk.length - start;
        }
        return out;
    }
    /**
     * The answer is complete: returns the last batches (with `final`, including an unterminated last
     * line). A log that shrank while the job runs is a bad answer (cut short, or empty), not a rewrite:
     * nothing of it is shown, so that no line shows again once the whole log comes back.
     */
    end(now) {
        const reading = this.current();
        const { final } = reading;
        const out = [];
        const size = reading.chars + reading.tailChars;
        if (final && reading.tail.length > 0) {
            const line = reading.tail.join('');
            reading.tail = [];
            this.line(reading, line, 0, line.length, out, 0);
        }
        this.lastFetchAt = now;
        this.lastSize = size;
        if (reading.next) {
            if (!final && reading.chars < reading.shownCharsAtStart) {
                this.reading = undefined;
                return out;
            }
            this.handOut(reading, out);
            this.hashes = reading.next.hashes;
            this.count = reading.next.count;
            this.shownChars = reading.chars;
        }
        else
            this.handOut(reading, out);
        this.reading = undefined;
        return out;
    }
    /** The whole answer at once: its new complete lines (with `final`, also a last unterminated one). */
    update(log, now, final) {
        this.begin(final);
        const batches = [...this.text(log), ...this.end(now)];
        return batches.flat();
    }
    current() {
        if (!this.reading)
            throw new Error('WholeLog: begin() must come before the text of an answer');
        return this.reading;
    }
    /** One line of the answer, `text.slice(from, to)` without its '\n'; `newline` is 1 unless it is the unterminated last one. */
    line(reading, text, from, to, out, newline = 1) {
        reading.chars += to - from + newline;
        if (to > from && text.charCodeAt(to - 1) === 13)
            to--; // '\r'
        const hash = (0,line_hash/* hashOf */.q)(text, from, to);
        const index = reading.line++;
        if (!reading.next) {
            if (index < this.count) {
                if (this.hashes[index] === hash)
                    return; // shown before, at the same place
                reading.next = this.rewritten(index);
            }
            else {
                // Past every shown line, in the same order: new.
                this.hold(reading, text.slice(from, to), hash, out);
                return;
            }
        }
        const next = reading.next;
        next.hashes = push(next.hashes, next.count++, hash);
        if (!take(next.remaining, hash))
            this.hold(reading, text.slice(from, to), hash, out);
    }
    /** The answer differs from the shown log at line `index`: from there, lines are matched by content, in any order. */
    rewritten(index) {
        const remaining = counted(this.hashes.subarray(index, this.count));
        const hashes = new Float64Array(Math.max(1024, Math.ceil(this.count * 1.25)));
        hashes.set(this.hashes.subarray(0, index));
        return { hashes, count: index, remaining };
    }
    hold(reading, line, hash, out) {
        reading.pending.push(line);
        reading.pendingHashes.push(hash);
        reading.pendingChars += line.length;
        if (reading.pending.length >= this.batch.lines || reading.pendingChars >= this.batch.chars)
            this.handOut(reading, out);
    }
    /** Hands out what is pending and takes it as shown; a rewritten answer's lines only once it has passed the shown length. */
    handOut(reading, out) {
        if (reading.pending.length === 0)
            return;
        if (reading.next && !reading.final && reading.chars < reading.shownCharsAtStart)
            return;
        for (let i = 0; i < reading.pending.length; i += this.batch.lines)
            out.push(reading.pending.slice(i, i + this.batch.lines));
        // In order: these lines follow the shown ones. Rewritten: they join the lines shown, to be skipped
        // by content if this answer breaks off (if it ends, its own lines replace the shown ones).
        for (const hash of reading.pendingHashes)
            this.hashes = push(this.hashes, this.count++, hash);
        if (!reading.next)
            this.shownChars = reading.chars;
        reading.pending = [];
        reading.pendingHashes = [];
        reading.pendingChars = 0;
    }
}
function counted(hashes) {
    const sorted = Float64Array.from(hashes).sort();
    const values = new Float64Array(sorted.length);
    const counts = new Uint32Array(sorted.length);
    let n = 0;
    for (let i = 0; i < sorted.length; i++) {
        if (n > 0 && values[n - 1] === sorted[i])
            counts[n - 1]++;
        else {
            values[n] = sorted[i];
            counts[n++] = 1;
        }
    }
    return { values: values.slice(0, n), counts: counts.slice(0, n) };
}
/** Takes one of `hash` out of the multiset; false when none is left. */
function take(set, hash) {
    let low = 0;
    let high = set.values.length;
    while (low < high) {
        const mid = (low + high) >>> 1;
        if (set.values[mid] < hash)
            low = mid + 1;
        else
            high = mid;
    }
    if (low >= set.values.length || set.values[low] !== hash || set.counts[low] === 0)
        return false;
    set.counts[low]--;
    return true;
}
function push(array, at, value) {
    if (at >= array.length) {
        const grown = new Float64Array(array.length * 2);
        grown.set(array);
        array = grown;
    }
    array[at] = value;
    return array;
}

;// CONCATENATED MODULE: ./src/systems/otter.ts





const OPERATIONS = ['trigger', 'wait'];
// Otter reads every other form field of a trigger as a job variable, so these two cannot be variables.
const RESERVED_VARIABLES = ['template', 'key'];
// A status is one word; a whole log may be tens of megabytes, but not without end.
const STATUS_MAX_BYTES = 64 * 1024;
const LOG_MAX_BYTES = 64 * 1024 * 1024;
const STATUS = {
    pending: 'pending',
    executing: 'running',
    succeeded: 'succeeded',
    warning: 'warning',
    error: 'failed',
};
const otter = {
    name: 'otter',
    label: 'Otter',
    prepare(config, _read, problems) {
        validate(config, problems);
        (0,gate_config/* checkHeaderSafe */.Hi)('api-key', config.apiKey, 'X-ApiKey', problems);
        // The header keeps the key out of URLs, proxy logs and error messages.
        const headers = config.apiKey ? { 'X-ApiKey': config.apiKey } : {};
        const attempt = (config.operation || 'trigger') === 'wait' ? { what: `wait on job ${config.jobId}`, subject: `job ${config.jobId}` } : { what: `trigger job template '${config.template}'`, subject: config.template };
        return { headers, secrets: [config.apiKey], attempt, createAdapter: (client) => new OtterAdapter(config, client) };
    },
};
function validate(config, problems) {
    const operation = config.operation || 'trigger';
    if (!OPERATIONS.includes(operation)) {
        problems.add('operation', `'${operation}' is not an Otter operation; use trigger (run a job template) or wait (wait on job-id)`);
        return;
    }
    if (operation === 'trigger') {
        if (!config.template)
            problems.add('template', 'is required to trigger an Otter job: the name of a job template that allows API use');
        if (config.jobId)
            problems.add('job-id', "is only used with operation: wait; remove it, or set operation: wait to wait on that job");
        for (const name of Object.keys(config.variables)) {
            if (RESERVED_VARIABLES.includes(name.toLowerCase())) {
                problems.add('variables', `'${name}' cannot be a job variable: Otter's trigger API reads it as its own parameter`);
            }
        }
    }
    else {
        if (!config.jobId)
            problems.add('job-id', 'is required with operation: wait: the job token that a trigger returned');
        if (Object.keys(config.variables).length > 0)
            problems.add('variables', 'are only sent when triggering a job; remove them for operation: wait');
    }
}
class OtterAdapter {
    config;
    client;
    serverLabel = 'Otter';
    constructor(config, client) {
        this.config = config;
        this.client = client;
    }
    async start(signal) {
        const { config } = this;
        if ((config.operation || 'trigger') === 'wait')
            return [new OtterJob(config.jobId, '', false, this.client, this.config)];
        const doing = `triggering job template '${config.template}'`;
        let token;
        try {
            const response = await this.client.send({ method: 'POST', path: 'api/jobs/trigger', query: { template: config.template }, form: config.variables, accept: 'text' }, signal);
            token = response.text.trim();
        }
        catch (error) {
            throw this.explain(error, doing);
        }
        // The token goes into URLs and every line about the job: anything but a plain token is refused, not echoed.
        if (!/^[\w.-]{1,100}$/.test(token)) {
            throw new gate_error/* GateError */.ue(`Otter answered ${doing} with ${token ? `${token.length} characters of text` : 'an empty body'} instead of a job token (letters, digits, '-', '_' or '.'). server-url may point at something other than Otter's API.`);
        }
        return [new OtterJob(token, config.template, true, this.client, this.config)];
    }
    explain(error, doing) {
        if (!(error instanceof failure/* HttpFailure */.H))
            return error;
        const { template, apiKey } = this.config;
        // An HTML page means something other than Otter's API answered (a wrong URL or a proxy): the generic advice fits.
        if (error.htmlPage)
            return (0,gate_error/* explained */.to)(error, (0,explain/* explainFailure */.S)(error, { server: 'Otter', serverUrl: this.config.serverUrl.toString(), doing }));
        switch (error.kind) {
            case 'not-found':
                // Otter says which template it did not find; an empty 404 came from something else at that URL.
                if (!error.serverMessage)
                    break;
                return new gate_error/* GateError */.ue(`Otter has no job template named '${template}' (HTTP 404: ${error.serverMessage}). Check the template input: it must name a job template that allows API use.`);
            case 'forbidden':
            case 'unauthorized':
                return new gate_error/* GateError */.ue(apiKey
                    ? `Otter refused the API key for job template '${template}' (HTTP ${error.status}): the key is wrong, or the template expects a different one. Check the api-key secret.`
                    : `Otter requires an API key for job template '${template}' (HTTP ${error.status}): set the api-key input from a secret.`);
            case 'connection-lost':
                return new gate_error/* GateError */.ue(`The trigger of job template '${template}' may have reached Otter, but no answer came (${error.cause}). It was not sent again so that the job is not started twice: check Otter's Jobs page before re-running.`);
            case 'server-error':
                if (error.mayHaveReachedServer) {
                    return new gate_error/* GateError */.ue(`Otter failed while ${doing} (HTTP ${error.status})${error.serverMessage ? `: ${error.serverMessage}` : ''}. The trigger was not sent again, because the job may have started anyway: check Otter's Jobs page before re-running.`);
                }
        }
        return (0,gate_error/* explained */.to)(error, (0,explain/* explainFailure */.S)(error, { server: 'Otter', serverUrl: this.config.serverUrl.toString(), doing }));
    }
}
class OtterJob {
    id;
    startedHere;
    client;
    config;
    title;
    whyNoCancel;
    log;
    firstError;
    constructor(id, template, startedHere, client, config) {
        this.id = id;
        this.startedHere = startedHere;
        this.client = client;
        this.config = config;
        this.title = template ? `Otter job ${id} (template '${template}')` : `Otter job ${id}`;
        this.whyNoCancel = `Otter's Job Orchestration API cannot cancel jobs: ${this.title} keeps running on the server. Cancel it in Otter if it must stop.`;
        this.log = new WholeLog(Date.now());
    }
    async poll(signal) {
        const text = (await this.get('api/jobs/status', 'checking the status', STATUS_MAX_BYTES, signal)).trim();
        const status = STATUS[text.toLowerCase()];
        if (status)
            return { status, detail: text };
        // An undocumented state: keep waiting (the timeout still bounds us) but say what Otter answered.
        return { status: 'running', detail: `Otter answered an undocumented status '${text}'; still waiting` };
    }
    /**
     * Otter answers with the whole log every time: it is read as it arrives, the lines shown before
     * skipped without being kept, the new ones shown in batches while the rest is still coming.
     */
    async output(final, signal, show) {
        if (!this.log.worthFetching(Date.now(), final))
            return;
        // Batches print one after another, in order, even if an attempt breaks off while one is printing.
        let printing = Promise.resolve();
        const print = (batches) => {
            if (batches.length === 0)
                return undefined;
            for (const lines of batches) {
                this.firstError ??= lines.find((line) => line.startsWith('ERROR:'));
                printing = printing.then(() => show({ lines }));
            }
            return printing;
        };
        const sink = { begin: () => this.log.begin(final), text: (chunk) => print(this.log.text(chunk)) };
        try {
            await this.get('api/jobs/logs', 'fetching the log', LOG_MAX_BYTES, signal, sink);
            print(this.log.end(Date.now()));
        }
        finally {
            await printing;
        }
    }
    failureDetail() {
        return this.firstError && `first error: ${this.firstError.slice(0, 300)}`;
    }
    async get(path, doing, maxBytes, signal, stream) {
        try {
            return (await this.client.read({ method: 'GET', path, query: { token: this.id }, accept: 'text', maxBytes, stream }, signal)).text;
        }
        catch (error) {
            if (!(error instanceof failure/* HttpFailure */.H))
                throw error;
            const what = `${doing} of ${this.title}`;
            if (error.htmlPage)
                throw (0,gate_error/* explained */.to)(error, (0,explain/* explainFailure */.S)(error, { server: 'Otter', serverUrl: this.config.serverUrl.toString(), doing: what }));
            if (error.kind === 'not-found' || (error.kind === 'rejected' && error.status === 400)) {
                throw new gate_error/* GateError */.ue(`Otter does not know job '${this.id}' (HTTP ${error.status}${error.serverMessage ? `: ${error.serverMessage}` : ''}) while ${what}. Check job-id: it must be the token a trigger returned.`);
            }
            if (error.kind === 'forbidden' || error.kind === 'unauthorized') {
                throw new gate_error/* GateError */.ue(`Otter refused the API key (HTTP ${error.status}) while ${what}. Check the api-key secret: it must be the key of the job's template.`);
            }
            throw (0,gate_error/* explained */.to)(error, (0,explain/* explainFailure */.S)(error, { server: 'Otter', serverUrl: this.config.serverUrl.toString(), doing: what }));
        }
    }
}


/***/ })

};
;