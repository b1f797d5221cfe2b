"use strict";
exports.id = 853;
exports.ids = [853];
exports.modules = {

/***/ 7853:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  otter: () => (/* binding */ otter)
});

// EXTERNAL MODULE: ./src/config/gate-config.ts + 2 modules
var gate_config = __webpack_require__(711);
// EXTERNAL MODULE: ./src/http/explain.ts
var explain = __webpack_require__(1071);
// EXTERNAL MODULE: ./src/http/failure.ts
var failure = __webpack_require__(2398);
// EXTERNAL MODULE: ./src/engine/gate-error.ts
var gate_error = __webpack_require__(192);
;// CONCATENATED MODULE: ./src/systems/whole-log.ts
/**
 * For APIs that return the whole log on every call: yields only the lines not yet returned, and
 * decides when a fetch is worth its bytes.
 */
class WholeLog {
    startedAt;
    smallBytes;
    minGapMs;
    shown = '';
    shownUpTo = 0;
    lastFetchAt;
    lastSize = 0;
    constructor(startedAt, 
    /** Below this size a log is cheap: fetch it every few seconds, so it streams live. */
    smallBytes = 32 * 1024, 
    /**
     * The least time between two fetches. Status checks come about a second apart at first; fetching
     * the log at each of them too would double the requests and pass one per second on average.
     */
    minGapMs = 3000) {
        this.startedAt = startedAt;
        this.smallBytes = smallBytes;
        this.minGapMs = minGapMs;
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
    /** Takes a fetched log and returns its new complete lines (with `final`, also a last unterminated one). */
    update(log, now, final) {
        this.lastFetchAt = now;
        this.lastSize = log.length;
        const end = final ? log.length : log.lastIndexOf('\n') + 1;
        if (end <= this.shownUpTo && log.startsWith(this.shown))
            return [];
        // A log that shrank while the job runs is a bad answer (cut short, or empty), not a rewrite:
        // taking it as one would show lines again once the whole log comes back.
        if (!final && end < this.shownUpTo)
            return [];
        if (!log.startsWith(this.shown))
            return this.reordered(log, end);
        const fresh = log.slice(this.shownUpTo, end);
        this.shown = log.slice(0, end);
        this.shownUpTo = end;
        return splitLines(fresh);
    }
    // The server may reorder entries between calls (Otter logs asynchronous scopes as they finish).
    // Show each line that was not shown before, once, keeping the server's new order.
    reordered(log, end) {
        const remaining = new Map();
        for (const line of splitLines(this.shown))
            remaining.set(line, (remaining.get(line) ?? 0) + 1);
        const fresh = [];
        for (const line of splitLines(log.slice(0, end))) {
            const count = remaining.get(line) ?? 0;
            if (count > 0)
                remaining.set(line, count - 1);
            else
                fresh.push(line);
        }
        this.shown = log.slice(0, end);
        this.shownUpTo = end;
        return fresh;
    }
}
function splitLines(text) {
    if (text === '')
        return [];
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '')
        lines.pop();
    return lines.map((line) => line.replace(/\r$/, ''));
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
    async output(final, signal) {
        if (!this.log.worthFetching(Date.now(), final))
            return [];
        const text = await this.get('api/jobs/logs', 'fetching the log', LOG_MAX_BYTES, signal);
        const lines = this.log.update(text, Date.now(), final);
        this.firstError ??= lines.find((line) => line.startsWith('ERROR:'));
        return [{ lines }];
    }
    failureDetail() {
        return this.firstError && `first error: ${this.firstError.slice(0, 300)}`;
    }
    async get(path, doing, maxBytes, signal) {
        try {
            return (await this.client.read({ method: 'GET', path, query: { token: this.id }, accept: 'text', maxBytes }, signal)).text;
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