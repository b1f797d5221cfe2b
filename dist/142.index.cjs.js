"use strict";
exports.id = 142;
exports.ids = [142];
exports.modules = {

/***/ 1770:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   O: () => (/* binding */ isRealDateTime)
/* harmony export */ });
/**
 * Whether the date and time parts of an ISO-like text exist on a calendar and a clock: 2026-02-30
 * and 25:00 are refused, where Date.parse would roll them over into another day.
 */
function isRealDateTime(text) {
    const date = /(\d{4})-(\d{2})-(\d{2})/.exec(text);
    if (date) {
        const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
        if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate())
            return false;
    }
    const time = /(?:^|[T ])(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(text);
    if (time && (Number(time[1]) > 23 || Number(time[2]) > 59 || Number(time[3] ?? 0) > 59))
        return false;
    const zone = /[+-](\d{2}):?(\d{2})$/.exec(text.slice(10));
    return !zone || (Number(zone[1]) <= 14 && Number(zone[2]) <= 59);
}


/***/ }),

/***/ 6826:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ik: () => (/* binding */ object),
/* harmony export */   JD: () => (/* binding */ objects),
/* harmony export */   U9: () => (/* binding */ count),
/* harmony export */   ZZ: () => (/* binding */ field)
/* harmony export */ });
/* harmony import */ var _engine_gate_error_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(192);

function field(context, record, name, kind, optional) {
    const value = record[name];
    if ((value === undefined || value === null) && optional)
        return undefined;
    if (!isKind(value, kind))
        throw unexpected(context, `'${name}'`, value, kind);
    return value;
}
/** The answer (or an element of it) as a JSON object. */
function object(context, value, what = 'the answer') {
    if (!isKind(value, 'object'))
        throw unexpected(context, what, value, 'object');
    return value;
}
/** The answer (or a field) as a list of JSON objects. */
function objects(context, value, what = 'the answer') {
    if (!Array.isArray(value))
        throw unexpected(context, what, value, 'array');
    return value.map((item, index) => object(context, item, `${what}[${index}]`));
}
/** A count the server may send as a number or a numeric string. */
function count(context, record, name) {
    const value = record[name];
    if (value === undefined || value === null)
        return 0;
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isFinite(n) || n < 0)
        throw unexpected(context, `'${name}'`, value, 'number');
    return n;
}
function isKind(value, kind) {
    if (kind === 'array')
        return Array.isArray(value);
    if (kind === 'object')
        return value !== null && typeof value === 'object' && !Array.isArray(value);
    if (kind === 'number')
        return typeof value === 'number' && Number.isFinite(value);
    return typeof value === kind;
}
function unexpected(context, what, value, expected) {
    return new _engine_gate_error_js__WEBPACK_IMPORTED_MODULE_0__/* .GateError */ .ue(`${context.server} answered something unexpected while ${context.doing}: ${what} is ${describe(value)}, where its API gives ${expected === 'array' || expected === 'object' ? 'an' : 'a'} ${expected === 'array' ? 'list' : expected}. server-url may point at a different product or version (or a proxy rewrote the answer).`);
}
function describe(value) {
    if (value === undefined)
        return 'missing';
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'a list';
    if (typeof value === 'object')
        return 'an object';
    if (typeof value === 'string')
        return 'text';
    return `a ${typeof value} (${String(value).slice(0, 20)})`;
}


/***/ }),

/***/ 761:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  foreman: () => (/* binding */ foreman)
});

// EXTERNAL MODULE: ./src/config/calendar.ts
var calendar = __webpack_require__(1770);
// EXTERNAL MODULE: ./src/config/duration.ts + 2 modules
var duration = __webpack_require__(2824);
// EXTERNAL MODULE: ./src/engine/gate-error.ts
var gate_error = __webpack_require__(192);
;// CONCATENATED MODULE: ./src/http/json-elements.ts
/**
 * Reads a JSON answer as it arrives and parses the elements of one array of its top-level object
 * one at a time, each on its own (e.g. Foreman's `outputs`, one element per host): an answer
 * listing 10,000 hosts is never held, or parsed, whole.
 *
 * Everything else in the answer is kept (the array itself as `[]`) and parsed at the end, so the
 * answer's shape can be checked as usual: `value` is the whole answer but for that array's
 * elements; an answer that is not an object, or whose field is not an array, is kept whole and
 * checked the same way. A body that is not JSON throws a SyntaxError, from an element as soon as
 * it is complete, from the rest at the end.
 */
class JsonElements {
    field;
    each;
    /** The answer without the array's elements, once `end()` has run. */
    value;
    depth = 0;
    inString = false;
    escaped = false;
    topIsObject = false;
    /** At depth 1 of the top-level object: the next string is a key. */
    expectingKey = false;
    keyPieces;
    keyStart = 0;
    lastKey = '';
    /** Just after the field's ':': its value decides whether it is the array. */
    valueOfField = false;
    inArray = false;
    inElement = false;
    elementPieces = [];
    elementIndex = 0;
    rest = [];
    /** Where the characters from `segmentStart` on go. */
    destination = 'rest';
    segmentStart = 0;
    constructor(field, each) {
        this.field = field;
        this.each = each;
    }
    begin() {
        this.value = undefined;
        this.depth = 0;
        this.inString = false;
        this.escaped = false;
        this.topIsObject = false;
        this.expectingKey = false;
        this.keyPieces = undefined;
        this.lastKey = '';
        this.valueOfField = false;
        this.inArray = false;
        this.inElement = false;
        this.elementPieces = [];
        this.elementIndex = 0;
        this.rest = [];
        this.destination = 'rest';
    }
    text(chunk) {
        this.segmentStart = 0;
        return this.scan(chunk, 0);
    }
    /** The answer is complete: parses what was kept into `value`. */
    end() {
        if (this.inString || this.depth !== 0 || this.inElement)
            throw new SyntaxError('the JSON answer ended before its last value did');
        this.value = JSON.parse(this.rest.join(''));
        this.rest = [];
    }
    scan(chunk, from) {
        // Elements sit at depth 2: inside the array, inside the top-level object.
        const ELEMENT = 2;
        for (let i = from; i < chunk.length; i++) {
            const c = chunk.charCodeAt(i);
            if (this.inString) {
                if (this.escaped)
                    this.escaped = false;
                else if (c === BACKSLASH)
                    this.escaped = true;
                else if (c === QUOTE) {
                    this.inString = false;
                    if (this.keyPieces) {
                        this.keyPieces.push(chunk.slice(this.keyStart, i));
                        this.lastKey = JSON.parse(`"${this.keyPieces.join('')}"`);
                        this.keyPieces = undefined;
                    }
                }
                continue;
            }
            if (c === SPACE || c === TAB || c === LF || c === CR)
                continue;
            if (this.valueOfField) {
                // The first character of the field's value: only an array is streamed; anything else is kept for the shape check.
                this.valueOfField = false;
                if (c === OPEN_BRACKET) {
                    this.depth++;
                    this.inArray = true;
                    this.switchTo(chunk, 'drop', i + 1);
                    continue;
                }
            }
            if (this.inArray && this.depth === ELEMENT && !this.inElement) {
                if (c === CLOSE_BRACKET) {
                    this.depth--;
                    this.inArray = false;
                    this.switchTo(chunk, 'rest', i);
                    continue;
                }
                if (c === COMMA)
                    continue;
                this.inElement = true;
                this.switchTo(chunk, 'element', i);
            }
            if (this.inElement && this.depth === ELEMENT && (c === COMMA || c === CLOSE_BRACKET)) {
                // The end of an element that is not an object or array (a number, a string, null).
                this.switchTo(chunk, 'drop', i);
                const busy = this.element();
                if (busy)
                    return busy.then(() => this.scan(chunk, i));
                i--;
                continue;
            }
            switch (c) {
                case QUOTE:
                    this.inString = true;
                    if (this.topIsObject && this.depth === 1 && this.expectingKey) {
                        this.keyPieces = [];
                        this.keyStart = i + 1;
                    }
                    break;
                case OPEN_BRACE:
                case OPEN_BRACKET:
                    if (this.depth === 0)
                        this.topIsObject = c === OPEN_BRACE;
                    this.depth++;
                    if (this.depth === 1 && this.topIsObject)
                        this.expectingKey = true;
                    break;
                case CLOSE_BRACE:
                case CLOSE_BRACKET:
                    this.depth--;
                    if (this.inElement && this.depth === ELEMENT) {
                        this.switchTo(chunk, 'drop', i + 1);
                        const busy = this.element();
                        if (busy)
                            return busy.then(() => this.scan(chunk, i + 1));
                    }
                    break;
                case COMMA:
                    if (this.depth === 1 && this.topIsObject)
                        this.expectingKey = true;
                    break;
                case COLON:
                    if (this.depth === 1 && this.topIsObject) {
                        this.expectingKey = false;
                        this.valueOfField = this.lastKey === this.field;
                    }
                    break;
            }
        }
        this.switchTo(chunk, this.destination, chunk.length);
        if (this.keyPieces) {
            this.keyPieces.push(chunk.slice(this.keyStart));
            this.keyStart = 0;
        }
    }
    /** Sends the characters since the last switch where they belong, and the following ones to `destination`. */
    switchTo(chunk, destination, at) {
        if (at > this.segmentStart) {
            if (this.destination === 'rest')
                this.rest.push(chunk.slice(this.segmentStart, at));
            else if (this.destination === 'element')
                this.elementPieces.push(chunk.slice(this.segmentStart, at));
        }
        this.destination = destination;
        this.segmentStart = at;
    }
    element() {
        const text = this.elementPieces.join('');
        this.elementPieces = [];
        this.inElement = false;
        return this.each(JSON.parse(text), this.elementIndex++);
    }
}
const QUOTE = 34;
const BACKSLASH = 92;
const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

// EXTERNAL MODULE: ./src/http/explain.ts
var explain = __webpack_require__(1071);
// EXTERNAL MODULE: ./src/http/failure.ts
var failure = __webpack_require__(2398);
// EXTERNAL MODULE: ./src/report/action-console.ts + 2 modules
var action_console = __webpack_require__(3913);
// EXTERNAL MODULE: ./src/systems/answer-shape.ts
var answer_shape = __webpack_require__(6826);
// EXTERNAL MODULE: ./src/systems/line-hash.ts
var line_hash = __webpack_require__(2971);
;// CONCATENATED MODULE: ./src/systems/foreman.ts









const OPERATIONS = ['run', 'wait', 'rerun-failed', 'cancel'];
const STATUS = { queued: 'pending', running: 'running', succeeded: 'succeeded', failed: 'failed', cancelled: 'canceled', warning: 'failed' };
const DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
// Output entries may reach Foreman's database out of timestamp order across hosts; asking again for
// this much before the newest entry seen, and dropping what was shown, loses none of them.
const SINCE_OVERLAP_SECONDS = 10;
const LAST_LINES = 5;
// A summary line is clipped at 2000 characters anyway (redacting-host.ts).
const LAST_LINE_CHARS = 2000;
// Output of unfinished hosts held back to print host by host; past this it prints as it is.
const HELD_MAX_CHARS = 4 * 1024 * 1024;
const foreman = {
    name: 'foreman',
    label: 'Foreman',
    prepare(config, read, problems) {
        const settings = readSettings(config, read, problems);
        const basic = Buffer.from(`${config.username}:${config.password}`).toString('base64');
        return {
            headers: { Authorization: `Basic ${basic}` },
            secrets: [config.password, basic],
            attempt: describeAttempt(settings),
            createAdapter: (client) => new ForemanAdapter(config, settings, client),
        };
    },
};
function readSettings(config, read, problems) {
    const input = (name) => read(name).trim();
    const operation = (config.operation || 'run');
    if (!OPERATIONS.includes(operation))
        problems.add('operation', `'${operation}' is not a Foreman operation; use one of ${OPERATIONS.join(', ')}`);
    if (!config.username)
        problems.add('username', 'is required for Foreman (HTTP Basic auth)');
    if (!config.password)
        problems.add('password', 'is required for Foreman: the password or a personal access token');
    if (config.username.includes(':'))
        problems.add('username', "must not contain ':': HTTP Basic auth puts one between the user name and the password");
    const options = {};
    const integer = (name, target, asDuration = false) => {
        const text = input(name);
        if (!text)
            return;
        const value = asDuration ? ((0,duration/* parseDuration */.E9)(text) ?? NaN) / 1000 : Number(text);
        if (!Number.isInteger(value) || value <= 0) {
            problems.add(name, `'${text}' is not accepted; use a whole number${asDuration ? ' of seconds, or a duration like 90s or 15m' : ' above zero'}`);
            return;
        }
        put(options, target, value);
    };
    const dateTime = (name, target) => {
        const text = input(name);
        if (!text)
            return undefined;
        if (!DATE_TIME.test(text) || Number.isNaN(Date.parse(text)) || !(0,calendar/* isRealDateTime */.O)(text)) {
            problems.add(name, `'${text}' is not a date-time; use ISO 8601 like 2026-11-24T02:00:00Z`);
            return undefined;
        }
        put(options, target, text);
        return text;
    };
    integer('concurrency-level', ['concurrency_control', 'concurrency_level']);
    integer('time-span', ['concurrency_control', 'time_span'], true);
    integer('execution-timeout', ['execution_timeout_interval'], true);
    integer('time-to-pickup', ['time_to_pickup'], true);
    integer('max-iterations', ['recurrence', 'max_iteration']);
    const startAt = dateTime('start-at', ['scheduling', 'start_at']);
    dateTime('start-before', ['scheduling', 'start_before']);
    dateTime('end-time', ['recurrence', 'end_time']);
    const cron = input('cron-line');
    if (cron) {
        const fields = cron.split(/\s+/);
        if (!/^@(yearly|annually|monthly|weekly|daily|hourly)$/.test(cron) && (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f)))) {
            problems.add('cron-line', `'${cron}' is not a cron line; use five fields (minute hour day-of-month month day-of-week) like '0 2 * * 1-5'`);
        }
        else
            put(options, ['recurrence', 'cron_line'], cron);
    }
    if (input('effective-user'))
        put(options, ['ssh', 'effective_user'], input('effective-user'));
    if (input('description-format'))
        options.description_format = input('description-format');
    const randomized = input('randomized-ordering').toLowerCase();
    if (randomized && randomized !== 'true' && randomized !== 'false')
        problems.add('randomized-ordering', `'${randomized}' is not accepted; use true or false`);
    else if (randomized)
        options.randomized_ordering = randomized === 'true';
    if (Object.keys(config.variables).length)
        options.inputs = config.variables;
    const waitScheduledText = input('wait-scheduled').toLowerCase() || 'false';
    if (waitScheduledText !== 'true' && waitScheduledText !== 'false')
        problems.add('wait-scheduled', `'${waitScheduledText}' is not accepted; use true or false`);
    const targetingType = input('targeting-type') || 'static_query';
    if (targetingType !== 'static_query' && targetingType !== 'dynamic_query')
        problems.add('targeting-type', `'${targetingType}' is not accepted; use static_query or dynamic_query`);
    const settings = {
        operation,
        template: config.template,
        feature: input('feature'),
        searchQuery: input('search-query'),
        targetingType,
        invocationId: config.jobId,
        waitScheduled: waitScheduledText === 'true',
        options,
        scheduled: cron ? `recurring on '${cron}'` : startAt && Date.parse(startAt) > Date.now() ? `scheduled for ${startAt}` : undefined,
    };
    if (operation === 'run') {
        if (!settings.template && !settings.feature)
            problems.add('template', 'or feature is required to run a Foreman job: a job template id or name, or a remote execution feature label');
        if (settings.template && settings.feature)
            problems.add('feature', 'cannot be used together with template; give one of them');
        if (!settings.searchQuery)
            problems.add('search-query', "is required to run a Foreman job: the hosts to run on, e.g. 'name ~ web' or 'hostgroup = Production'");
        if (config.jobId)
            problems.add('job-id', 'is not used by operation: run');
    }
    else {
        if (!config.jobId)
            problems.add('job-id', `is required for operation: ${operation}: the numeric id of a job invocation`);
        else if (!/^\d+$/.test(config.jobId))
            problems.add('job-id', `'${config.jobId}' is not a job invocation id: it must be a number, like 42`);
        const ignored = ['template', 'feature', 'search-query', 'cron-line', 'start-at'].filter((name) => input(name));
        for (const name of ignored)
            problems.add(name, `is only used by operation: run`);
    }
    return settings;
}
function put(target, path, value) {
    let node = target;
    for (const key of path.slice(0, -1))
        node = (node[key] ??= {});
    node[path[path.length - 1]] = value;
}
class ForemanAdapter {
    config;
    settings;
    client;
    serverLabel = 'Foreman';
    notWaiting;
    invocation;
    constructor(config, settings, client) {
        this.config = config;
        this.settings = settings;
        this.client = client;
    }
    outputs() {
        const counts = this.invocation?.counts;
        if (!counts)
            return {};
        return { 'hosts-total': String(counts.total), 'hosts-succeeded': String(counts.succeeded), 'hosts-failed': String(counts.failed), 'hosts-cancelled': String(counts.cancelled) };
    }
    details(signal) {
        return this.invocation?.hostReport(signal) ?? Promise.resolve([]);
    }
    async start(signal, console) {
        const api = new ForemanApi(this.config, this.client);
        const { operation, invocationId } = this.settings;
        if (operation === 'cancel') {
            console.info(await new Invocation(Number(invocationId), `Foreman job invocation ${invocationId}`, false, api, this.config).cancel(signal));
            return [];
        }
        let id = Number(invocationId);
        let title = `Foreman job invocation ${id}`;
        if (operation === 'rerun-failed') {
            const doing = `re-running the failed hosts of job invocation ${invocationId}`;
            id = createdInvocationId(doing, await api.send(doing, `api/job_invocations/${invocationId}/rerun`, { failed_only: true, job_invocation: {} }, signal));
            title = `Foreman job invocation ${id} (re-run of ${invocationId} on its failed hosts)`;
            console.info(`Re-running the failed hosts of job invocation ${invocationId} as job invocation ${id}.`);
        }
        if (operation === 'run') {
            id = await this.create(api, signal);
            title = `Foreman job invocation ${id} (${this.settings.template ? `template '${this.settings.template}'` : `feature ${this.settings.feature}`} on '${this.settings.searchQuery}')`;
            if (this.settings.scheduled && !this.settings.waitScheduled) {
                this.notWaiting = `Job invocation ${id} is ${this.settings.scheduled}: not waiting for it (set wait-scheduled: true to wait).`;
            }
        }
        this.invocation = new Invocation(id, title, operation !== 'wait', api, this.config);
        return [this.invocation];
    }
    async create(api, signal) {
        const { template, feature, searchQuery, targetingType, options } = this.settings;
        const body = { targeting_type: targetingType, search_query: searchQuery, ...options };
        if (feature)
            body.feature = feature;
        else
            body.job_template_id = /^\d+$/.test(template) ? template : await this.templateId(api, template, signal);
        const doing = `creating a job invocation on '${searchQuery}'`;
        return createdInvocationId(doing, await api.send(doing, 'api/job_invocations', { job_invocation: body }, signal));
    }
    async templateId(api, name, signal) {
        const context = { server: 'Foreman', doing: `looking up job template '${name}'` };
        const found = (0,answer_shape/* object */.Ik)(context, await api.read(context.doing, 'api/job_templates', { search: `name = "${name}"` }, signal));
        const match = (0,answer_shape/* objects */.JD)(context, (0,answer_shape/* field */.ZZ)(context, found, 'results', 'array'), "'results'").find((t) => t.name === name);
        if (!match)
            throw new gate_error/* GateError */.ue(`Foreman has no job template named '${name}'. Check the template input (a name or a numeric id).`);
        return String((0,answer_shape/* field */.ZZ)(context, match, 'id', 'number'));
    }
}
/** The remote execution API with its uneven error shapes turned into one clear message each. */
class ForemanApi {
    config;
    client;
    constructor(config, client) {
        this.config = config;
        this.client = client;
    }
    /** With `stream`, the answer goes to it as it arrives (and nothing is returned). */
    async read(doing, path, query, signal, stream) {
        try {
            return (await this.client.read({ method: 'GET', path, query, accept: 'json', stream }, signal)).data;
        }
        catch (error) {
            throw this.explain(error, doing);
        }
    }
    /** Creates something: never sent twice once it may have arrived. */
    async send(doing, path, json, signal) {
        try {
            return (await this.client.send({ method: 'POST', path, json, accept: 'json' }, signal)).data;
        }
        catch (error) {
            if (error instanceof failure/* HttpFailure */.H && (error.kind === 'connection-lost' || (error.kind === 'server-error' && !error.serverMessage))) {
                throw new gate_error/* GateError */.ue(`Foreman may have acted on ${doing}, but no answer came (${error.message}). It was not sent again so that the job does not run twice: check Foreman's Jobs page before re-running.`);
            }
            throw this.explain(error, doing);
        }
    }
    /** Asking twice to cancel is harmless, so this is retried like a read. */
    async cancel(id, signal) {
        try {
            await this.client.read({ method: 'POST', path: `api/job_invocations/${id}/cancel`, json: { job_invocation: {} }, accept: 'json' }, signal);
            return 'cancelled';
        }
        catch (error) {
            if (error instanceof failure/* HttpFailure */.H && error.status === 422)
                return 'finished';
            throw this.explain(error, `cancelling job invocation ${id}`);
        }
    }
    explain(error, doing) {
        if (!(error instanceof failure/* HttpFailure */.H))
            return error;
        if (!error.htmlPage) {
            if (error.kind === 'unauthorized')
                return new gate_error/* GateError */.ue(`Foreman refused the credentials while ${doing} (HTTP 401): check username and password (a personal access token works as the password).`);
            if (error.kind === 'forbidden')
                return new gate_error/* GateError */.ue(`Foreman denied ${doing} (HTTP 403)${error.serverMessage ? `: ${error.serverMessage}` : ''}. The user needs the remote execution permissions (e.g. the Remote Execution User role) for these hosts.`);
            // Foreman answers some validation failures, such as a bad cron line, with a 500 and a message.
            if (error.status && error.status >= 400 && error.serverMessage)
                return (0,gate_error/* explained */.to)(error, `Foreman rejected ${doing} (HTTP ${error.status}): ${error.serverMessage}`);
        }
        return (0,gate_error/* explained */.to)(error, (0,explain/* explainFailure */.S)(error, { server: 'Foreman', serverUrl: this.config.serverUrl.toString(), doing }));
    }
}
class Invocation {
    title;
    startedHere;
    api;
    id;
    url;
    counts;
    names = new Map();
    since;
    newest = 0;
    /**
     * The entries shown that are still in the overlap window, so each is shown once: a 53-bit hash of
     * host, timestamp, type and text (never the text itself), to the entry's timestamp.
     */
    shown = new Map();
    /** Per host, its last few lines (clipped, joined by '\n'), for the summary of a host that did not succeed. */
    lastLines = new Map();
    /**
     * With several hosts, each host's lines wait here until it has finished, then print as one group;
     * joined by '\n' (no line has one), one string per host rather than one per line.
     */
    held = new Map();
    /** The text held, in all; past HELD_MAX_CHARS what is held prints at once, so memory stays bounded. */
    heldChars = 0;
    /** Hosts whose output printed before they finished (because too much was held): their later groups say so. */
    continued = new Set();
    failedHosts;
    constructor(id, title, startedHere, api, config) {
        this.title = title;
        this.startedHere = startedHere;
        this.api = api;
        this.id = String(id);
        this.url = new URL(`job_invocations/${id}`, config.serverUrl).toString();
    }
    async poll(signal) {
        // Host names come with the first answer; later ones leave out a list that grows with the fleet.
        const first = this.names.size === 0;
        const context = { server: 'Foreman', doing: `checking job invocation ${this.id}` };
        const show = (0,answer_shape/* object */.Ik)(context, await this.api.read(context.doing, `api/job_invocations/${this.id}`, first ? {} : { include_hosts: 'false' }, signal));
        const targeting = (0,answer_shape/* field */.ZZ)(context, show, 'targeting', 'object', 'optional');
        for (const host of (0,answer_shape/* objects */.JD)(context, (targeting && (0,answer_shape/* field */.ZZ)(context, targeting, 'hosts', 'array', 'optional')) ?? [], "'targeting.hosts'")) {
            this.names.set((0,answer_shape/* field */.ZZ)(context, host, 'id', 'number'), (0,answer_shape/* field */.ZZ)(context, host, 'name', 'string'));
        }
        const label = (0,answer_shape/* field */.ZZ)(context, show, 'status_label', 'string');
        const n = (name) => (0,answer_shape/* count */.U9)(context, show, name);
        this.counts = { succeeded: n('succeeded'), failed: n('failed'), pending: n('pending'), cancelled: n('cancelled'), total: n('total') };
        const { succeeded, failed, cancelled, total } = this.counts;
        const detail = `${label}: ${succeeded + failed + cancelled}/${total} hosts done, ${failed} failed${cancelled ? `, ${cancelled} cancelled` : ''}`;
        const status = STATUS[label];
        const timing = taskTiming(show);
        if (!status)
            return { status: 'running', detail: `${detail} (undocumented status '${label}'; still waiting)`, timing };
        return { status, detail, timing };
    }
    /**
     * New output of every host in one request, whatever the number of hosts. With one host it streams
     * live; with several, each host's output prints as one group once that host has finished, so a
     * fleet's log reads host by host instead of a new group per host at every poll. The answer is
     * read host by host as it arrives, never held whole; what it said is kept per host only as much
     * as showing each entry once needs (see `shown`, `held`, `lastLines`).
     */
    async output(final, signal, show) {
        const query = this.since === undefined ? {} : { since: String(this.since) };
        const context = { server: 'Foreman', doing: `fetching the output of job invocation ${this.id}` };
        const live = (this.counts?.total ?? 1) <= 1;
        // An attempt cut off halfway is retried whole: what it showed is in `shown`, and shows only once.
        const hosts = new JsonElements('outputs', (value, index) => this.take(hostOutput(context, value, index), live, show));
        await this.api.read(context.doing, `api/job_invocations/${this.id}/outputs`, query, signal, hosts);
        (0,answer_shape/* field */.ZZ)(context, (0,answer_shape/* object */.Ik)(context, hosts.value), 'outputs', 'array');
        // The job has ended (or the gate gave up): whatever a host still holds is all it will say.
        if (final)
            await this.showHeld(show, true);
        this.since = Math.max(0, this.newest - SINCE_OVERLAP_SECONDS);
        for (const [key, timestamp] of this.shown)
            if (timestamp <= this.since)
                this.shown.delete(key);
    }
    /** One host's part of the answer: shown at once (one host), or held until the host has finished. */
    take(host, live, show) {
        const lines = this.fresh(host);
        if (live)
            return lines.length ? show(this.group(host.host_id, lines)) : undefined;
        const before = this.held.get(host.host_id);
        const fresh = lines.join('\n');
        const held = lines.length === 0 ? before : before === undefined ? fresh : `${before}\n${fresh}`;
        this.heldChars += (held?.length ?? 0) - (before?.length ?? 0);
        if (host.refresh && !host.complete) {
            if (held !== undefined)
                this.held.set(host.host_id, held);
            // The unfinished hosts hold too much: it prints now, and their later output says it continues.
            return this.heldChars > HELD_MAX_CHARS ? this.showHeld(show, false) : undefined;
        }
        this.held.delete(host.host_id);
        const group = held === undefined ? undefined : this.group(host.host_id, held.split('\n'));
        this.continued.delete(host.host_id);
        if (!group)
            return undefined;
        this.heldChars -= held.length;
        return show(group);
    }
    async showHeld(show, final) {
        const holding = [...this.held];
        this.held.clear();
        this.heldChars = 0;
        for (const [hostId, lines] of holding) {
            await show(this.group(hostId, lines.split('\n')));
            if (!final)
                this.continued.add(hostId);
        }
    }
    group(hostId, lines) {
        return { title: `${this.hostName(hostId)} — output${this.continued.has(hostId) ? ' (continued)' : ''}`, lines };
    }
    async cancel(signal) {
        const result = await this.api.cancel(Number(this.id), signal);
        // The job may have ended as it was cancelled: the counts reported must be the ones Foreman ends with.
        await this.poll(signal).catch(() => undefined);
        return result === 'cancelled'
            ? `Cancelled ${this.title} in Foreman.`
            : `Foreman answered that ${this.title} could not be cancelled (HTTP 422): it has most likely finished already.`;
    }
    failureDetail() {
        if (this.failedHosts?.length)
            return `${this.failedHosts.length === 1 ? 'host' : 'hosts'} ${named(this.failedHosts)} did not succeed`;
        if (!this.counts)
            return undefined;
        const { failed, cancelled, total } = this.counts;
        return `${failed} of ${total} hosts failed${cancelled ? `, ${cancelled} cancelled` : ''}`;
    }
    /** For the summary: every host that did not succeed, with its status and last lines; counts for the rest. */
    async hostReport(signal) {
        if (!this.counts)
            return [];
        const bad = [];
        const failedHosts = [];
        for (let page = 1;; page++) {
            const context = { server: 'Foreman', doing: `listing the hosts of job invocation ${this.id}` };
            const answer = (0,answer_shape/* object */.Ik)(context, await this.api.read(context.doing, `api/job_invocations/${this.id}/hosts`, { page: String(page), per_page: '500' }, signal));
            const results = (0,answer_shape/* objects */.JD)(context, (0,answer_shape/* field */.ZZ)(context, answer, 'results', 'array'), "'results'");
            for (const host of results) {
                const status = (0,answer_shape/* field */.ZZ)(context, host, 'job_status', 'string');
                if (status === 'success')
                    continue;
                const name = (0,answer_shape/* field */.ZZ)(context, host, 'name', 'string');
                failedHosts.push(name);
                bad.push({ text: `${name}: ${status}`, code: this.lastLines.get((0,answer_shape/* field */.ZZ)(context, host, 'id', 'number'))?.split('\n') });
            }
            if (results.length < 500)
                break;
        }
        this.failedHosts = failedHosts;
        const { succeeded, total } = this.counts;
        return [{ title: `${succeeded} of ${total} hosts succeeded${bad.length ? `; ${bad.length} did not:` : '.'}`, items: bad }];
    }
    fresh(host) {
        const lines = [];
        const entries = host.output.length > 1 ? [...host.output].sort((a, b) => a.timestamp - b.timestamp) : host.output;
        for (const entry of entries) {
            const key = (0,line_hash/* hashOf */.q)(`${host.host_id} ${entry.timestamp} ${entry.output_type} ${entry.output}`);
            if (this.shown.has(key))
                continue;
            this.shown.set(key, entry.timestamp);
            this.newest = Math.max(this.newest, entry.timestamp);
            for (const line of entry.output.replace(/\r?\n$/, '').split(/\r?\n/))
                lines.push(entry.output_type === 'stderr' ? `[stderr] ${line}` : line);
        }
        if (lines.length) {
            const before = this.lastLines.get(host.host_id)?.split('\n') ?? [];
            const last = [...before, ...lines.slice(-LAST_LINES).map((line) => (0,action_console/* clip */.$Q)(line, LAST_LINE_CHARS))].slice(-LAST_LINES);
            this.lastLines.set(host.host_id, detached(last.join('\n')));
        }
        return lines;
    }
    hostName(id) {
        return this.names.get(id) ?? `host ${id}`;
    }
}
/**
 * A copy of `text` that shares no memory with it. V8 keeps a line split from an entry as a slice of
 * the entry's text: keeping the last lines of a megabyte-long entry would keep the megabyte.
 */
function detached(text) {
    return Buffer.from(text, 'utf8').toString('utf8');
}
/** "a, b, c and 4 more" */
function named(items, first = 3) {
    return items.length <= first ? items.join(', ') : `${items.slice(0, first).join(', ')} and ${items.length - first} more`;
}
/** The task's start (and end, once it has one), as Foreman timed them. */
function taskTiming(show) {
    const task = show.task;
    if (!task || typeof task !== 'object')
        return undefined;
    const { started_at: started, ended_at: ended } = task;
    const at = (value) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : undefined);
    return { startedAt: at(started), endedAt: at(ended) };
}
/** The id of the invocation a create or re-run answered with; never polled as `undefined`. */
function createdInvocationId(doing, answer) {
    const context = { server: 'Foreman', doing };
    const id = (0,answer_shape/* field */.ZZ)(context, (0,answer_shape/* object */.Ik)(context, answer), 'id', 'number');
    if (!Number.isInteger(id) || id <= 0)
        throw new gate_error/* GateError */.ue(`Foreman answered something unexpected while ${doing}: 'id' is ${id}, not a job invocation id.`);
    return id;
}
/** One host of the bulk outputs answer, its entries checked: a null or odd entry is named, not crashed on. */
function hostOutput(context, value, index) {
    const host = (0,answer_shape/* object */.Ik)(context, value, `'outputs'[${index}]`);
    return {
        host_id: (0,answer_shape/* field */.ZZ)(context, host, 'host_id', 'number'),
        complete: (0,answer_shape/* field */.ZZ)(context, host, 'complete', 'boolean', 'optional') ?? false,
        refresh: (0,answer_shape/* field */.ZZ)(context, host, 'refresh', 'boolean', 'optional') ?? false,
        output: (0,answer_shape/* objects */.JD)(context, (0,answer_shape/* field */.ZZ)(context, host, 'output', 'array'), "'output'").map((entry) => ({
            output_type: (0,answer_shape/* field */.ZZ)(context, entry, 'output_type', 'string', 'optional') ?? 'stdout',
            output: (0,answer_shape/* field */.ZZ)(context, entry, 'output', 'string'),
            timestamp: (0,answer_shape/* field */.ZZ)(context, entry, 'timestamp', 'number'),
        })),
    };
}
function describeAttempt(settings) {
    const job = settings.template ? `template '${settings.template}'` : `feature ${settings.feature}`;
    switch (settings.operation) {
        case 'run':
            return { what: `run ${job} on '${settings.searchQuery}'`, subject: settings.template || settings.feature };
        case 'rerun-failed':
            return { what: `re-run job invocation ${settings.invocationId} on its failed hosts`, subject: `job invocation ${settings.invocationId}` };
        default:
            return { what: `${settings.operation} job invocation ${settings.invocationId}`, subject: `job invocation ${settings.invocationId}` };
    }
}


/***/ }),

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


/***/ })

};
;