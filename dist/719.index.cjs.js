"use strict";
exports.id = 719;
exports.ids = [719];
exports.modules = {

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

/***/ 6719:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   rpm: () => (/* binding */ rpm)
/* harmony export */ });
/* harmony import */ var _config_duration_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2824);
/* harmony import */ var _engine_gate_error_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(192);
/* harmony import */ var _http_explain_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1071);
/* harmony import */ var _http_failure_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2398);
/* harmony import */ var _answer_shape_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6826);





const INTEGER_FILTERS = ['run_key', 'process_id', 'automation_id', 'user_id', 'step_id'];
const FILTERS = [...INTEGER_FILTERS, 'status', 'job_type', 'currently_running'];
// Step states after which the run will not change, whatever its status says.
const ENDED_STEP_STATES = ['complete', 'problem'];
const rpm = {
    name: 'rpm',
    label: 'BMC RPM',
    prepare(config, read, problems) {
        const settings = readSettings(config, read, problems);
        return {
            // RPM takes its token only as a query parameter; the redactor keeps it out of everything printed.
            headers: {},
            secrets: [config.apiKey],
            attempt: settings.ids.length
                ? { what: `wait on job run${settings.ids.length === 1 ? '' : 's'} ${settings.ids.join(', ')}`, subject: `job run${settings.ids.length === 1 ? '' : 's'} ${settings.ids.join(', ')}` }
                : { what: `wait on the job runs matching ${Object.entries(settings.filter).map(([k, v]) => `${k}=${v}`).join(', ')}`, subject: 'job runs' },
            createAdapter: (client) => new RpmAdapter(config, settings, client),
        };
    },
};
function readSettings(config, read, problems) {
    if (config.operation && config.operation !== 'wait') {
        problems.add('operation', `'${config.operation}' is not available: RPM's job runs API is read-only, so the only operation is wait (the default)`);
    }
    if (!config.apiKey)
        problems.add('api-key', 'is required for BMC RPM: the API token of an RPM user');
    if (!config.wait)
        problems.add('wait', 'must be true for BMC RPM: waiting on job runs is all this system does');
    if (Object.keys(config.variables).length > 0)
        problems.add('variables', 'are not used by BMC RPM: its API only reads job runs');
    const ids = config.jobId.split(/[\s,]+/).filter(Boolean);
    for (const id of ids)
        if (!/^\d+$/.test(id))
            problems.add('job-id', `'${id}' is not a job run id (a whole number)`);
    const filterText = read('filter');
    const filter = parseFilter(filterText, problems);
    // A filter with bad lines was given: its own messages say what to fix, job-id is not what is missing.
    const filterGiven = filterText.split(/\r?\n/).some((line) => line.trim() && !line.trim().startsWith('#'));
    if (ids.length === 0 && !filterGiven)
        problems.add('job-id', 'or filter is required for BMC RPM: the job run ids to wait on, or a filter that selects them');
    if (ids.length > 0 && Object.keys(filter).length > 0)
        problems.add('filter', 'cannot be used together with job-id; choose one way to select the job runs');
    return { ids, filter };
}
function parseFilter(text, problems) {
    const filter = {};
    text.split(/\r?\n/).forEach((raw, index) => {
        const line = raw.trim();
        if (!line || line.startsWith('#'))
            return;
        const at = line.indexOf('=');
        const name = at > 0 ? line.slice(0, at).trim() : '';
        const value = at > 0 ? line.slice(at + 1).trim() : '';
        const where = `line ${index + 1} ('${line.slice(0, 60)}')`;
        if (!name)
            return problems.add('filter', `${where} is not name=value`);
        if (!FILTERS.includes(name))
            return problems.add('filter', `${where}: '${name}' is not a job runs filter; use ${FILTERS.join(', ')}`);
        if (INTEGER_FILTERS.includes(name) && !/^\d+$/.test(value))
            return problems.add('filter', `${where}: ${name} takes a whole number`);
        if (name === 'currently_running' && value !== 'true' && value !== 'false')
            return problems.add('filter', `${where}: currently_running takes true or false`);
        if (name === 'job_type' && value !== 'automation' && value !== 'notification')
            return problems.add('filter', `${where}: job_type takes automation or notification`);
        if (name in filter)
            return problems.add('filter', `${where} sets ${name} a second time`);
        filter[name] = value;
    });
    return filter;
}
class RpmAdapter {
    settings;
    serverLabel = 'BMC RPM';
    nothingYet;
    discover;
    api;
    found = new Set();
    constructor(config, settings, client) {
        this.settings = settings;
        this.api = new RpmApi(config, client);
        const described = Object.entries(settings.filter).map(([k, v]) => `${k}=${v}`).join(', ');
        this.nothingYet = `no RPM job runs match ${described} yet (RPM answers 404 until one does); waiting until timeout`;
        if (settings.ids.length === 0)
            this.discover = (signal, round) => this.lookForNewRuns(signal, round);
    }
    async start(signal) {
        const runs = await Promise.all(this.settings.ids.map(async (id) => {
            const first = await this.api.jobRun(id, signal);
            if (!first)
                throw new _engine_gate_error_js__WEBPACK_IMPORTED_MODULE_0__/* .GateError */ .ue(`BMC RPM has no job run ${id} (HTTP 404). Check job-id: it takes job run ids.`);
            return new JobRun(first, this.api);
        }));
        return runs;
    }
    async lookForNewRuns(signal, round) {
        const matching = await this.api.jobRuns(this.settings.filter, signal, round);
        const fresh = matching.filter((run) => !this.found.has(String(run.id)));
        for (const run of fresh)
            this.found.add(String(run.id));
        return fresh.map((run) => new JobRun(run, this.api));
    }
}
/** The job runs API, with the token in the query (as RPM requires) and errors in the user's terms. */
class RpmApi {
    config;
    client;
    /** The list answer of this round of checks: the runs it contains need no request of their own. */
    listed = new Map();
    listedRound;
    constructor(config, client) {
        this.config = config;
        this.client = client;
    }
    /** The job runs a filter selects; none yet (RPM's 404 for no records) is an empty list. */
    async jobRuns(filter, signal, round) {
        const context = { server: 'BMC RPM', doing: 'looking for job runs' };
        const runs = await this.get('v1/job_runs.json', filter, context.doing, signal);
        const list = runs === undefined ? [] : (0,_answer_shape_js__WEBPACK_IMPORTED_MODULE_2__/* .objects */ .JD)(context, runs).map((run) => jobRun(context, run));
        this.listed = new Map(list.map((run) => [String(run.id), run]));
        this.listedRound = round;
        return list;
    }
    /** One job run, or undefined when RPM has no such record; `round` lets this round's list answer serve. */
    async jobRun(id, signal, round) {
        const recent = round !== undefined && round === this.listedRound ? this.listed.get(id) : undefined;
        if (recent)
            return recent;
        const context = { server: 'BMC RPM', doing: `checking job run ${id}` };
        const answer = await this.get(`v1/job_runs/${id}.json`, {}, context.doing, signal);
        return answer === undefined ? undefined : jobRun(context, answer);
    }
    async get(path, query, doing, signal) {
        try {
            return (await this.client.read({ method: 'GET', path, query: { ...query, token: this.config.apiKey }, accept: 'json' }, signal)).data;
        }
        catch (error) {
            if (!(error instanceof _http_failure_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpFailure */ .H))
                throw error;
            if (error.kind === 'not-found' && !error.htmlPage)
                return undefined;
            throw (0,_engine_gate_error_js__WEBPACK_IMPORTED_MODULE_0__/* .explained */ .to)(error, this.explain(error, doing));
        }
    }
    explain(error, doing) {
        if (error.htmlPage)
            return (0,_http_explain_js__WEBPACK_IMPORTED_MODULE_3__/* .explainFailure */ .S)(error, this.context(doing));
        switch (error.kind) {
            case 'forbidden':
            case 'unauthorized':
                return `BMC RPM refused the token while ${doing} (HTTP ${error.status}): the token was refused. Check the api-key secret: it must be the API token of an RPM user.`;
            case 'method-not-allowed':
                return `BMC RPM answered 405 Method Not Allowed while ${doing}: its job runs API only allows reading, and this was a read, so server-url probably points at the wrong application or context path (${this.config.serverUrl}).`;
            case 'unexpected-body':
                return `BMC RPM answered ${doing} with ${error.serverMessage ?? 'something other than JSON'}: the job runs API should answer JSON for '.json' paths. Check server-url (${this.config.serverUrl}), including the application context such as /brpm.`;
        }
        return (0,_http_explain_js__WEBPACK_IMPORTED_MODULE_3__/* .explainFailure */ .S)(error, this.context(doing));
    }
    context(doing) {
        return { server: 'BMC RPM', serverUrl: this.config.serverUrl.toString(), doing };
    }
}
class JobRun {
    api;
    id;
    title;
    startedHere = false;
    whyNoCancel;
    latest;
    shown = false;
    constructor(first, api) {
        this.api = api;
        this.id = String(first.id);
        this.latest = first;
        const step = first.step ? `, step '${first.step.name}'` : '';
        this.title = `RPM job run ${first.id} (automation ${first.automation_id ?? '?'}${step})`;
        this.whyNoCancel = `RPM's job runs API is read-only: ${this.title} keeps running in RPM.`;
    }
    async poll(signal, round) {
        const run = await this.api.jobRun(this.id, signal, round);
        if (!run)
            throw new _engine_gate_error_js__WEBPACK_IMPORTED_MODULE_0__/* .GateError */ .ue(`BMC RPM no longer has job run ${this.id} (HTTP 404).`);
        this.latest = run;
        const status = run.status ?? 'unknown';
        const timing = { startedAt: (0,_config_duration_js__WEBPACK_IMPORTED_MODULE_4__/* .parseTimestamp */ .EH)(run.started_at), endedAt: (0,_config_duration_js__WEBPACK_IMPORTED_MODULE_4__/* .parseTimestamp */ .EH)(run.finished_at) };
        const at = (ms, text) => (ms !== undefined ? (0,_config_duration_js__WEBPACK_IMPORTED_MODULE_4__/* .formatTimestamp */ .Ey)(ms) : (text ?? '?'));
        const times = `${at(timing.startedAt, run.started_at)} → ${run.finished_at ? at(timing.endedAt, run.finished_at) : '…'}`;
        // Only 'Complete' is documented; any other status on an ended run fails, named as RPM gave it.
        const ended = run.finished_at !== undefined || status === 'Complete' || ENDED_STEP_STATES.includes(run.step?.aasm_state ?? '');
        if (!ended)
            return { status: 'running', detail: `${status}${run.step ? `, step ${run.step.aasm_state}` : ''}`, timing };
        if (status === 'Complete')
            return { status: 'succeeded', detail: `Complete, ${times}`, timing };
        return { status: 'failed', detail: `ended with status '${status}'${run.step ? ` (step ${run.step.aasm_state})` : ''}, ${times}`, timing };
    }
    async output(final, _signal, show) {
        if (!final || this.shown)
            return;
        this.shown = true;
        const { stdout, stderr, results_path: results } = this.latest;
        const section = (name, text) => (text ? [`${name}:`, ...text.replace(/\n$/, '').split(/\r?\n/)] : []);
        await show({ title: `${this.title} — output`, lines: [...section('stdout', stdout), ...section('stderr', stderr), ...(results ? [`results_path: ${results}`] : [])] });
    }
}
/** A job run as RPM documents it; a field of the wrong type is named instead of shown as garbage. */
function jobRun(context, value) {
    const run = (0,_answer_shape_js__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ik)(context, value, 'a job run');
    const text = (name) => (0,_answer_shape_js__WEBPACK_IMPORTED_MODULE_2__/* .field */ .ZZ)(context, run, name, 'string', 'optional');
    const step = (0,_answer_shape_js__WEBPACK_IMPORTED_MODULE_2__/* .field */ .ZZ)(context, run, 'step', 'object', 'optional');
    return {
        id: (0,_answer_shape_js__WEBPACK_IMPORTED_MODULE_2__/* .field */ .ZZ)(context, run, 'id', 'number'),
        automation_id: (0,_answer_shape_js__WEBPACK_IMPORTED_MODULE_2__/* .field */ .ZZ)(context, run, 'automation_id', 'number', 'optional'),
        status: text('status'),
        started_at: text('started_at'),
        finished_at: text('finished_at'),
        results_path: text('results_path'),
        stdout: text('stdout'),
        stderr: text('stderr'),
        step: step && { name: (0,_answer_shape_js__WEBPACK_IMPORTED_MODULE_2__/* .field */ .ZZ)(context, step, 'name', 'string', 'optional') ?? '?', aasm_state: (0,_answer_shape_js__WEBPACK_IMPORTED_MODULE_2__/* .field */ .ZZ)(context, step, 'aasm_state', 'string', 'optional') ?? '' },
    };
}


/***/ })

};
;