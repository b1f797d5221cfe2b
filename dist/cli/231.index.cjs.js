"use strict";
exports.id = 231;
exports.ids = [231];
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

/***/ 6231:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  foreman: () => (/* binding */ foreman)
});

// EXTERNAL MODULE: ./src/config/calendar.ts
var calendar = __webpack_require__(1770);
;// CONCATENATED MODULE: ./src/config/cron.ts
/**
 * Foreman's recurring job lines, as foreman-tasks reads them (its RecurringLogic parses them with the
 * parse-cron gem and refuses a line that gem cannot compute a next run for). One table for the action,
 * which checks the line before anything is sent, and for the sandbox, which answers a line it refuses
 * with Foreman's 500: the two cannot disagree about which lines are valid.
 *
 * - five fields: minute hour day-of-month month day-of-week;
 * - each field a comma list of `*`, `*\/step`, `n`, `a-b` or `a-b/step` (parse-cron has no `n/step`);
 * - month names (jan–dec) and day names (sun–sat) in any case, in their own fields;
 * - day of the week 0–7, 7 being Sunday as in Vixie cron;
 * - the nicknames @yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly, in lower case
 *   as parse-cron matches them (@reboot has no next run, so Foreman refuses it).
 */
const CRON_NICKNAMES = {
    '@yearly': '0 0 1 1 *',
    '@annually': '0 0 1 1 *',
    '@monthly': '0 0 1 * *',
    '@weekly': '0 0 * * 0',
    '@daily': '0 0 * * *',
    '@midnight': '0 0 * * *',
    '@hourly': '0 * * * *',
};
const FIELDS = [
    { name: 'minute', min: 0, max: 59 },
    { name: 'hour', min: 0, max: 23 },
    { name: 'day of month', min: 1, max: 31 },
    { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
    { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
// The longest each month can be (February in a leap year).
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Why Foreman would refuse the cron line, or undefined when it accepts it. */
function cronLineProblem(line) {
    const text = line.trim();
    if (text.startsWith('@')) {
        if (text in CRON_NICKNAMES)
            return undefined;
        if (text.toLowerCase() in CRON_NICKNAMES)
            return `Foreman reads nicknames in lower case only: write ${text.toLowerCase()}`;
        if (text.toLowerCase() === '@reboot')
            return '@reboot names no time, so Foreman cannot schedule it';
        return `'${text}' is not a nickname Foreman knows; use one of ${Object.keys(CRON_NICKNAMES).join(', ')}`;
    }
    const parts = text.split(/\s+/).filter(Boolean);
    if (parts.length !== 5)
        return `has ${parts.length} field${parts.length === 1 ? '' : 's'}, where Foreman takes five (minute hour day-of-month month day-of-week)`;
    const values = [];
    for (const [index, field] of FIELDS.entries()) {
        const result = parseField(parts[index], field);
        if (typeof result === 'string')
            return `the ${field.name} field '${parts[index]}' ${result}`;
        values.push(result);
    }
    // A day of the month that no chosen month has (30 February) never comes: Foreman cannot compute a next run.
    const [, , days, months] = values;
    if (parts[4] === '*' && parts[2] !== '*' && ![...days].some((day) => [...months].some((month) => day <= MONTH_DAYS[month - 1]))) {
        return `never matches a date: no chosen month has day ${[...days].join(', ')}`;
    }
    return undefined;
}
/** The values a field selects, or why it is not valid. */
function parseField(text, field) {
    const selected = new Set();
    const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
    for (const item of text.toLowerCase().split(',')) {
        const m = /^(\*|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:\/(\d+))?$/.exec(item);
        if (!m)
            return `is not a cron field: use *, a number, a range like 1-5, a list like 1,3 and steps like */15 (${range})`;
        const step = m[4] === undefined ? 1 : Number(m[4]);
        if (step < 1)
            return 'has a step of 0';
        if (m[4] !== undefined && m[2] !== undefined && m[3] === undefined)
            return `has '${item}': Foreman takes a step only after * or a range, e.g. */${m[4]} or ${m[2]}-${field.max}/${m[4]}`;
        let from = field.min;
        let to = field.max;
        if (m[2] !== undefined) {
            const a = value(m[2], field);
            const b = m[3] === undefined ? a : value(m[3], field);
            if (a === undefined || b === undefined)
                return `has '${item}', outside ${range}`;
            if (a > b)
                return `has the range '${item}', which runs backwards`;
            [from, to] = [a, b];
        }
        for (let n = from; n <= to; n += step)
            selected.add(n);
    }
    return selected;
}
function value(text, field) {
    const named = field.names?.indexOf(text) ?? -1;
    // Month names count from 1 (jan = 1), day names from 0 (sun = 0).
    if (named >= 0)
        return field.name === 'month' ? named + 1 : named;
    if (!/^\d+$/.test(text))
        return undefined;
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
}

// EXTERNAL MODULE: ./src/config/duration.ts + 2 modules
var duration = __webpack_require__(2824);
// EXTERNAL MODULE: ./src/engine/gate-error.ts
var gate_error = __webpack_require__(192);
// EXTERNAL MODULE: ./src/http/explain.ts
var explain = __webpack_require__(1071);
// EXTERNAL MODULE: ./src/http/failure.ts
var failure = __webpack_require__(2398);
// EXTERNAL MODULE: ./src/engine/sleep.ts
var sleep = __webpack_require__(8441);
// EXTERNAL MODULE: ./src/systems/answer-shape.ts
var answer_shape = __webpack_require__(6826);
;// CONCATENATED MODULE: ./src/systems/foreman.ts








const OPERATIONS = ['run', 'wait', 'rerun', 'rerun-failed', 'cancel'];
const STATUS = { queued: 'pending', running: 'running', succeeded: 'succeeded', failed: 'failed', cancelled: 'canceled', warning: 'failed' };
const DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
// The SSH and sudo credentials of a job invocation, where Foreman's create takes them: the input, the
// field's path in job_invocation. All are secrets except the SSH user name, which Foreman itself shows.
const CREDENTIALS = [
    { input: 'ssh-user', path: ['ssh_user'], secret: false },
    { input: 'ssh-password', path: ['password'], secret: true },
    { input: 'key-passphrase', path: ['key_passphrase'], secret: true },
    { input: 'effective-user-password', path: ['ssh', 'effective_user_password'], secret: true },
];
// After a normal cancel that Foreman accepted, how long the invocation may take to stop before the
// cancel is forced (force-cancel: true). Cancel and the final output share a ~4 s budget after SIGINT:
// this leaves the forced cancel and the output their share of it.
const FORCE_AFTER_MS = 1500;
const CANCEL_CHECK_EVERY_MS = 400;
// Output entries may reach Foreman's database out of timestamp order across hosts; asking again for
// this much before the newest entry seen, and dropping what was shown, loses none of them.
const SINCE_OVERLAP_SECONDS = 10;
const LAST_LINES = 5;
const foreman = {
    name: 'foreman',
    label: 'Foreman',
    prepare(config, read, problems) {
        const settings = readSettings(config, read, problems);
        const basic = Buffer.from(`${config.username}:${config.password}`).toString('base64');
        return {
            headers: { Authorization: `Basic ${basic}` },
            secrets: [config.password, basic, ...CREDENTIALS.filter((c) => c.secret).map((c) => read(c.input))],
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
        const problem = cronLineProblem(cron);
        if (problem) {
            problems.add('cron-line', `'${cron}' is not a cron line Foreman accepts: ${problem}. Use five fields (minute hour day-of-month month day-of-week) like '0 2 * * mon-fri', or a nickname like @daily`);
        }
        else
            put(options, ['recurrence', 'cron_line'], cron);
    }
    if (input('effective-user'))
        put(options, ['ssh', 'effective_user'], input('effective-user'));
    const credentials = CREDENTIALS.filter((c) => read(c.input).trim());
    for (const credential of credentials) {
        const value = credential.secret ? read(credential.input) : input(credential.input);
        // A line break inside a secret is a paste accident, and Foreman would pass it on to the host.
        if (/[\u0000-\u001f\u007f]/.test(value))
            problems.add(credential.input, 'contains a line break or another control character; store the secret again as a single line');
        else
            put(options, [...credential.path], value);
    }
    const scope = {};
    for (const [name, param] of [['organization-id', 'organization_id'], ['location-id', 'location_id']]) {
        const text = input(name);
        if (!text)
            continue;
        if (!/^\d+$/.test(text) || Number(text) <= 0)
            problems.add(name, `'${text}' is not accepted; use the numeric id of a Foreman ${name === 'organization-id' ? 'organization' : 'location'}, e.g. 1`);
        else
            scope[param] = text;
    }
    const forceCancelText = input('force-cancel').toLowerCase() || 'false';
    if (forceCancelText !== 'true' && forceCancelText !== 'false')
        problems.add('force-cancel', `'${forceCancelText}' is not accepted; use true or false`);
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
        forceCancel: forceCancelText === 'true',
        scope,
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
        // Foreman's rerun copies the invocation without its passwords and takes none: they cannot be given again.
        for (const credential of credentials) {
            problems.add(credential.input, `is only used by operation: run${operation.startsWith('rerun') ? ": Foreman's rerun takes no credentials (it re-runs with the hosts' keys and the invocation's effective user)" : ''}`);
        }
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
    console;
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
    async details(signal) {
        if (!this.invocation)
            return [];
        try {
            const { sections, note } = await this.invocation.hostReport(signal);
            if (note)
                this.console?.info(note);
            return sections;
        }
        catch (error) {
            // Never lose the failed-host list silently: say why it is missing.
            const why = signal.aborted ? 'no answer in time' : error instanceof Error ? error.message : String(error);
            return [{ title: `The hosts' statuses could not be read (${why}); see the job invocation's page in Foreman.`, items: [] }];
        }
    }
    async start(signal, console) {
        const api = new ForemanApi(this.config, this.client, this.settings.scope);
        this.console = console;
        const { operation, invocationId, forceCancel } = this.settings;
        if (operation === 'cancel') {
            const invocation = new Invocation(Number(invocationId), `Foreman job invocation ${invocationId}`, false, api, this.config, forceCancel);
            console.info(forceCancel ? await invocation.forceCancel(signal) : await invocation.cancel(signal));
            return [];
        }
        let id = Number(invocationId);
        let title = `Foreman job invocation ${id}`;
        if (operation === 'rerun-failed' || operation === 'rerun') {
            const failedOnly = operation === 'rerun-failed';
            const hosts = failedOnly ? 'its failed hosts' : 'all its hosts';
            const doing = `re-running job invocation ${invocationId} on ${hosts}`;
            id = createdInvocationId(doing, await api.send(doing, `api/job_invocations/${invocationId}/rerun`, { failed_only: failedOnly, job_invocation: {} }, signal));
            title = `Foreman job invocation ${id} (re-run of ${invocationId} on ${hosts})`;
            console.info(`Re-running job invocation ${invocationId} on ${hosts} as job invocation ${id}.`);
        }
        if (operation === 'run') {
            id = await this.create(api, signal);
            title = `Foreman job invocation ${id} (${this.settings.template ? `template '${this.settings.template}'` : `feature ${this.settings.feature}`} on '${this.settings.searchQuery}')`;
            if (this.settings.scheduled && !this.settings.waitScheduled) {
                this.notWaiting = `Job invocation ${id} is ${this.settings.scheduled}: not waiting for it (set wait-scheduled: true to wait).`;
            }
        }
        this.invocation = new Invocation(id, title, operation !== 'wait', api, this.config, forceCancel);
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
    scope;
    constructor(config, client, 
    /** organization_id and location_id: Foreman takes them as parameters of every request. */
    scope = {}) {
        this.config = config;
        this.client = client;
        this.scope = scope;
    }
    async read(doing, path, query, signal) {
        try {
            return (await this.client.read({ method: 'GET', path, query: { ...query, ...this.scope }, accept: 'json' }, signal)).data;
        }
        catch (error) {
            throw this.explain(error, doing);
        }
    }
    /** Like read, but a 404 (an endpoint this Foreman does not have) is undefined instead of an error. */
    async readIfFound(doing, path, query, signal) {
        try {
            return (await this.client.read({ method: 'GET', path, query: { ...query, ...this.scope }, accept: 'json' }, signal)).data;
        }
        catch (error) {
            if (error instanceof failure/* HttpFailure */.H && error.kind === 'not-found')
                return undefined;
            throw this.explain(error, doing);
        }
    }
    /** Creates something: never sent twice once it may have arrived. */
    async send(doing, path, json, signal) {
        try {
            return (await this.client.send({ method: 'POST', path, query: this.scope, json, accept: 'json' }, signal)).data;
        }
        catch (error) {
            if (error instanceof failure/* HttpFailure */.H && (error.kind === 'connection-lost' || (error.kind === 'server-error' && !error.serverMessage))) {
                throw new gate_error/* GateError */.ue(`Foreman may have acted on ${doing}, but no answer came (${error.message}). It was not sent again so that the job does not run twice: check Foreman's Jobs page before re-running.`);
            }
            throw this.explain(error, doing);
        }
    }
    /**
     * Asking twice to cancel is harmless, so this is retried like a read. `force` cancels even what
     * Foreman cannot reach to stop (its tasks are ended without the hosts' word).
     */
    async cancel(id, signal, force = false) {
        try {
            const json = force ? { force: true, job_invocation: {} } : { job_invocation: {} };
            await this.client.read({ method: 'POST', path: `api/job_invocations/${id}/cancel`, query: this.scope, json, accept: 'json' }, signal);
            return 'cancelled';
        }
        catch (error) {
            if (error instanceof failure/* HttpFailure */.H && error.status === 422)
                return 'finished';
            throw this.explain(error, `${force ? 'force-cancelling' : 'cancelling'} job invocation ${id}`);
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
    mayForce;
    id;
    url;
    counts;
    names = new Map();
    since;
    newest = 0;
    /** Per host, the entries already shown from the overlap window, so each is shown once. */
    shown = new Map();
    lastLines = new Map();
    /** With several hosts, each host's lines wait here until it has finished, then print as one group. */
    held = new Map();
    failedHosts;
    constructor(id, title, startedHere, api, config, 
    /** On timeout or SIGINT, force the cancel when a normal one has not taken (force-cancel: true). */
    mayForce = false) {
        this.title = title;
        this.startedHere = startedHere;
        this.api = api;
        this.mayForce = mayForce;
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
     * fleet's log reads host by host instead of a new group per host at every poll.
     */
    async output(final, signal) {
        const query = this.since === undefined ? {} : { since: String(this.since) };
        const context = { server: 'Foreman', doing: `fetching the output of job invocation ${this.id}` };
        const answer = (0,answer_shape/* object */.Ik)(context, await this.api.read(context.doing, `api/job_invocations/${this.id}/outputs`, query, signal));
        const live = (this.counts?.total ?? 1) <= 1;
        const groups = [];
        for (const host of hostOutputs(context, answer)) {
            const lines = this.fresh(host);
            if (live) {
                if (lines.length)
                    groups.push({ title: `${this.hostName(host.host_id)} — output`, lines });
                continue;
            }
            const held = this.held.get(host.host_id) ?? [];
            held.push(...lines);
            if (host.refresh && !host.complete)
                this.held.set(host.host_id, held);
            else {
                this.held.delete(host.host_id);
                if (held.length)
                    groups.push({ title: `${this.hostName(host.host_id)} — output`, lines: held });
            }
        }
        if (final) {
            // The job has ended (or the gate gave up): whatever a host still holds is all it will say.
            for (const [hostId, lines] of this.held)
                if (lines.length)
                    groups.push({ title: `${this.hostName(hostId)} — output`, lines });
            this.held.clear();
        }
        this.since = Math.max(0, this.newest - SINCE_OVERLAP_SECONDS);
        for (const seen of this.shown.values()) {
            for (const key of seen)
                if (Number(key.slice(0, key.indexOf(' '))) <= this.since)
                    seen.delete(key);
        }
        return groups;
    }
    async cancel(signal) {
        const result = await this.api.cancel(Number(this.id), signal);
        if (result === 'finished') {
            await this.poll(signal).catch(() => undefined);
            return `Foreman answered that ${this.title} could not be cancelled (HTTP 422): it has most likely finished already.`;
        }
        // The job may have ended as it was cancelled: the counts reported must be the ones Foreman ends with.
        const stopped = await this.stoppedWithin(this.mayForce ? FORCE_AFTER_MS : 0, signal);
        if (stopped !== false || !this.mayForce) {
            // Only a cancel seen not to take is forced: without a status, the step does not force blindly.
            const still = stopped === false ? ` Foreman was still stopping it (${this.stillRunning()}); if hosts it cannot reach keep it running, cancel it with force-cancel: true.` : '';
            return `Cancelled ${this.title} in Foreman.${still}`;
        }
        const why = `a normal cancel had not stopped it after ${FORCE_AFTER_MS / 1000} s (${this.stillRunning()})`;
        const forced = await this.api.cancel(Number(this.id), signal, true);
        await this.poll(signal).catch(() => undefined);
        return forced === 'cancelled'
            ? `Cancelled ${this.title} in Foreman, forced because ${why}. Foreman ends a forced job without the unreachable hosts' word: check that the script stopped on them.`
            : `Cancelled ${this.title} in Foreman; ${why}, and it had finished by the time the forced cancel arrived.`;
    }
    /** operation: cancel with force-cancel: true, for hosts stuck unreachable. */
    async forceCancel(signal) {
        const result = await this.api.cancel(Number(this.id), signal, true);
        await this.poll(signal).catch(() => undefined);
        return result === 'cancelled'
            ? `Force-cancelled ${this.title} in Foreman: it is ended without waiting for hosts it cannot reach; check that the script stopped on them.`
            : `Foreman answered that ${this.title} could not be cancelled (HTTP 422): it has most likely finished already.`;
    }
    /**
     * Whether the invocation reached a final status within `ms` of now, checking a few times; undefined
     * when it could not be told (the checks failed).
     */
    async stoppedWithin(ms, signal) {
        const until = Date.now() + ms;
        for (;;) {
            const snapshot = await this.poll(signal).catch(() => undefined);
            if (snapshot && isStopped(snapshot.status))
                return true;
            if (Date.now() + CANCEL_CHECK_EVERY_MS > until || signal.aborted)
                return snapshot ? false : undefined;
            await (0,sleep/* sleep */.y)(CANCEL_CHECK_EVERY_MS, signal).catch(() => undefined);
        }
    }
    stillRunning() {
        const { pending = 0, total = 0 } = this.counts ?? {};
        return pending ? `${pending} of ${total} host${total === 1 ? '' : 's'} still running` : 'its task was still running';
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
            return { sections: [] };
        const bad = [];
        const failedHosts = [];
        const { hosts, note } = await hostStatuses(this.api, this.id, signal);
        for (const host of hosts) {
            if (host.status === 'success')
                continue;
            failedHosts.push(host.name);
            bad.push({ text: `${host.name}: ${host.status}`, code: this.lastLines.get(host.id) });
        }
        this.failedHosts = failedHosts;
        const { succeeded, total } = this.counts;
        return { sections: [{ title: `${succeeded} of ${total} hosts succeeded${bad.length ? `; ${bad.length} did not:` : '.'}`, items: bad }], note };
    }
    fresh(host) {
        const seen = this.shown.get(host.host_id) ?? new Set();
        this.shown.set(host.host_id, seen);
        const lines = [];
        for (const entry of [...host.output].sort((a, b) => a.timestamp - b.timestamp)) {
            const key = `${entry.timestamp} ${entry.output_type} ${entry.output}`;
            if (seen.has(key))
                continue;
            seen.add(key);
            this.newest = Math.max(this.newest, entry.timestamp);
            for (const line of entry.output.replace(/\r?\n$/, '').split(/\r?\n/))
                lines.push(entry.output_type === 'stderr' ? `[stderr] ${line}` : line);
        }
        if (lines.length)
            this.lastLines.set(host.host_id, [...(this.lastLines.get(host.host_id) ?? []), ...lines].slice(-LAST_LINES));
        return lines;
    }
    hostName(id) {
        return this.names.get(id) ?? `host ${id}`;
    }
}
/**
 * Every host of the invocation with its job status: from the per-invocation hosts endpoint, or, on a
 * Foreman older than that endpoint (it answers 404), from the invocation itself with host_status=true,
 * saying so.
 */
async function hostStatuses(api, id, signal) {
    const hosts = [];
    const context = { server: 'Foreman', doing: `listing the hosts of job invocation ${id}` };
    for (let page = 1;; page++) {
        const answer = await api.readIfFound(context.doing, `api/job_invocations/${id}/hosts`, { page: String(page), per_page: '500' }, signal);
        if (answer === undefined) {
            if (page > 1)
                throw new gate_error/* GateError */.ue(`Foreman stopped answering the hosts of job invocation ${id} at page ${page} (HTTP 404).`);
            return olderHostStatuses(api, id, signal);
        }
        const results = (0,answer_shape/* objects */.JD)(context, (0,answer_shape/* field */.ZZ)(context, (0,answer_shape/* object */.Ik)(context, answer), 'results', 'array'), "'results'");
        for (const host of results) {
            hosts.push({ id: (0,answer_shape/* field */.ZZ)(context, host, 'id', 'number'), name: (0,answer_shape/* field */.ZZ)(context, host, 'name', 'string'), status: (0,answer_shape/* field */.ZZ)(context, host, 'job_status', 'string') });
        }
        if (results.length < 500)
            return { hosts };
    }
}
async function olderHostStatuses(api, id, signal) {
    const context = { server: 'Foreman', doing: `reading the host statuses of job invocation ${id}` };
    const show = (0,answer_shape/* object */.Ik)(context, await api.read(context.doing, `api/job_invocations/${id}`, { host_status: 'true' }, signal));
    const targeting = (0,answer_shape/* field */.ZZ)(context, show, 'targeting', 'object', 'optional');
    const listed = (0,answer_shape/* objects */.JD)(context, (targeting && (0,answer_shape/* field */.ZZ)(context, targeting, 'hosts', 'array', 'optional')) ?? [], "'targeting.hosts'");
    const hosts = listed.map((host) => ({
        id: (0,answer_shape/* field */.ZZ)(context, host, 'id', 'number'),
        name: (0,answer_shape/* field */.ZZ)(context, host, 'name', 'string'),
        // A server that ignores host_status leaves it out: such a host is not reported as succeeded.
        status: (0,answer_shape/* field */.ZZ)(context, host, 'job_status', 'string', 'optional') ?? 'status not given',
    }));
    return {
        hosts,
        note: `This Foreman has no per-invocation hosts endpoint (GET api/job_invocations/${id}/hosts answered 404; older versions lack it): the hosts' statuses were read from the job invocation itself, with host_status=true.`,
    };
}
/** A status after which a cancelled invocation will not change. */
function isStopped(status) {
    return status === 'succeeded' || status === 'failed' || status === 'canceled' || status === 'warning';
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
/** The bulk outputs answer, each host's entries checked: a null or odd entry is named, not crashed on. */
function hostOutputs(context, answer) {
    return (0,answer_shape/* objects */.JD)(context, (0,answer_shape/* field */.ZZ)(context, answer, 'outputs', 'array'), "'outputs'").map((host) => ({
        host_id: (0,answer_shape/* field */.ZZ)(context, host, 'host_id', 'number'),
        complete: (0,answer_shape/* field */.ZZ)(context, host, 'complete', 'boolean', 'optional') ?? false,
        refresh: (0,answer_shape/* field */.ZZ)(context, host, 'refresh', 'boolean', 'optional') ?? false,
        output: (0,answer_shape/* objects */.JD)(context, (0,answer_shape/* field */.ZZ)(context, host, 'output', 'array'), "'output'").map((entry) => ({
            output_type: (0,answer_shape/* field */.ZZ)(context, entry, 'output_type', 'string', 'optional') ?? 'stdout',
            output: (0,answer_shape/* field */.ZZ)(context, entry, 'output', 'string'),
            timestamp: (0,answer_shape/* field */.ZZ)(context, entry, 'timestamp', 'number'),
        })),
    }));
}
function describeAttempt(settings) {
    const job = settings.template ? `template '${settings.template}'` : `feature ${settings.feature}`;
    switch (settings.operation) {
        case 'run':
            return { what: `run ${job} on '${settings.searchQuery}'`, subject: settings.template || settings.feature };
        case 'rerun-failed':
            return { what: `re-run job invocation ${settings.invocationId} on its failed hosts`, subject: `job invocation ${settings.invocationId}` };
        case 'rerun':
            return { what: `re-run job invocation ${settings.invocationId} on all its hosts`, subject: `job invocation ${settings.invocationId}` };
        default:
            return { what: `${settings.operation} job invocation ${settings.invocationId}`, subject: `job invocation ${settings.invocationId}` };
    }
}


/***/ })

};
;