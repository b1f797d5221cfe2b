// Generated from action.yml and package.json by scripts/generate-cli-inputs.mjs: do not edit.
// After changing either, run `npm run generate` (a unit test fails while this is out of date).

export interface ActionInput {
  name: string
  description: string
  /** As the runner applies it: action.yml's default, '' when it has none. */
  default: string
  required: boolean
  /** Masked, as action.yml's description says: best given in the environment. */
  secret: boolean
}

export interface ActionOutput {
  name: string
  description: string
}

export const VERSION = "1.2.0"

export const ACTION_INPUTS: readonly ActionInput[] = [
  {"name":"system","description":"The server: otter, buildmaster, foreman or rpm (BMC Release Process Management).","default":"","required":true,"secret":false},
  {"name":"server-url","description":"Base URL of the server, with its context path if it has one, e.g. https://otter.example.com or https://host/otter/.","default":"","required":true,"secret":false},
  {"name":"api-key","description":"API key (Otter, BuildMaster) or API token (BMC RPM). Pass it from a secret. Otter and BuildMaster get it in a header; RPM only accepts it as a query parameter, so it is redacted from every URL and message printed. Always masked.","default":"","required":false,"secret":true},
  {"name":"username","description":"Foreman: the user name (HTTP Basic auth).","default":"","required":false,"secret":false},
  {"name":"password","description":"Foreman: the password or a personal access token. Pass it from a secret; it is masked and never printed.","default":"","required":false,"secret":true},
  {"name":"operation","description":"What to do. Otter: trigger (default) or wait. BuildMaster: deploy (default: ensure the release, create a build, deploy it), create-release, create-build, deploy-build, wait (on deployment ids, or on the deployments of application + release + build), reject-build, cancel-release or restore-release. Foreman: run (default), wait, rerun (re-run job-id on all its hosts and wait), rerun-failed (on its failed hosts only), cancel. BMC RPM: wait (the only one).","default":"","required":false,"secret":false},
  {"name":"template","description":"Otter: the name of the job template to trigger (it must allow API use). Foreman: the job template's id or name.","default":"","required":false,"secret":false},
  {"name":"variables","description":"Job variables (BuildMaster: sent as $NAME on the release the step creates, the build it creates and the deploy; Foreman: the template's inputs): one NAME=value per line (blank lines and # comments ignored; the value is everything after the first '=', may contain '=' and ':', and has surrounding spaces trimmed), or a YAML or JSON mapping.","default":"","required":false,"secret":false},
  {"name":"job-id","description":"With operation: wait, what to wait on: Otter, the token a trigger returned; BuildMaster, one or more deployment ids (or leave it empty and give application, release and build); Foreman, the job invocation id (also for rerun, rerun-failed and cancel); BMC RPM, one or more job run ids (comma or space separated).","default":"","required":false,"secret":false},
  {"name":"feature","description":"Foreman: a remote execution feature label, instead of template.","default":"","required":false,"secret":false},
  {"name":"search-query","description":"Foreman: the hosts to run on, as a Foreman search, e.g. 'name ~ web' or 'hostgroup = Production'.","default":"","required":false,"secret":false},
  {"name":"targeting-type","description":"Foreman: static_query (default) or dynamic_query.","default":"","required":false,"secret":false},
  {"name":"concurrency-level","description":"Foreman: run on at most this many hosts at a time.","default":"","required":false,"secret":false},
  {"name":"time-span","description":"Foreman: ignored and never sent (Foreman 3.8 dropped it); use concurrency-level to limit how many hosts run at a time. Foreman dropped concurrency_control[time_span] in 3.8 (remote execution 11.0) and ignores it since, so the step warns that it is ignored and sends nothing for it, on every Foreman version.","default":"","required":false,"secret":false},
  {"name":"execution-timeout","description":"Foreman: per-host execution timeout, in seconds or a duration like 15m (overrides the template's).","default":"","required":false,"secret":false},
  {"name":"time-to-pickup","description":"Foreman: how long a host may take to pick the job up, in seconds or a duration.","default":"","required":false,"secret":false},
  {"name":"effective-user","description":"Foreman: the user the script runs as on the hosts.","default":"","required":false,"secret":false},
  {"name":"effective-user-password","description":"Foreman: the password for effective-user's sudo-like mechanism (sent as ssh.effective_user_password). Pass it from a secret; masked and never printed. Only with operation: run.","default":"","required":false,"secret":true},
  {"name":"ssh-user","description":"Foreman: the SSH user for this invocation (ssh_user), instead of the hosts' default. Not a secret (Foreman shows it); only with operation: run.","default":"","required":false,"secret":false},
  {"name":"ssh-password","description":"Foreman: the SSH password for this invocation (password). Pass it from a secret; masked and never printed. Only with operation: run.","default":"","required":false,"secret":true},
  {"name":"key-passphrase","description":"Foreman: the passphrase of the SSH key (key_passphrase). Pass it from a secret; masked and never printed. Only with operation: run.","default":"","required":false,"secret":true},
  {"name":"organization-id","description":"Foreman: the numeric id of the organization every request is scoped to (organization_id): hosts and templates are looked up in it.","default":"","required":false,"secret":false},
  {"name":"location-id","description":"Foreman: the numeric id of the location every request is scoped to (location_id).","default":"","required":false,"secret":false},
  {"name":"force-cancel","description":"Foreman: true forces cancels, for hosts Foreman cannot reach: operation: cancel sends a forced cancel, and when the workflow is canceled or times out, a normal cancel that has not stopped the job within about 1.5 s is followed by a forced one. A forced cancel ends the job without the unreachable hosts' word.","default":"false","required":false,"secret":false},
  {"name":"randomized-ordering","description":"Foreman: true runs the hosts in random order.","default":"","required":false,"secret":false},
  {"name":"description-format","description":"Foreman: the job description format for this invocation.","default":"","required":false,"secret":false},
  {"name":"start-at","description":"Foreman: schedule the job for this date-time (ISO 8601, e.g. 2026-11-24T02:00:00Z).","default":"","required":false,"secret":false},
  {"name":"start-before","description":"Foreman: cancel the job if it cannot start before this date-time.","default":"","required":false,"secret":false},
  {"name":"cron-line","description":"Foreman: make the job recurring, with a cron line like '0 2 * * 1-5' or '0 2 * * mon-fri', or a nickname like @daily. Before anything is sent the step checks only its number of fields (five; six with seconds first; a time zone may follow); Foreman judges the rest, and its own error is shown as it says it.","default":"","required":false,"secret":false},
  {"name":"max-iterations","description":"Foreman: a recurring job runs at most this many times.","default":"","required":false,"secret":false},
  {"name":"end-time","description":"Foreman: a recurring job does not run after this date-time.","default":"","required":false,"secret":false},
  {"name":"wait-scheduled","description":"Foreman: a job scheduled for later (start-at) or recurring (cron-line) is reported and not waited on unless this is true.","default":"false","required":false,"secret":false},
  {"name":"filter","description":"BMC RPM: instead of job-id, select job runs with one name=value per line over run_key, step_id, automation_id, process_id, user_id, job_type, status, currently_running. The step waits until a run matches and every matching run has finished.","default":"","required":false,"secret":false},
  {"name":"application","description":"BuildMaster: the application's name or numeric id. A name made only of digits is written with a name: prefix (name:2024), since plain digits are taken as an id.","default":"","required":false,"secret":false},
  {"name":"release","description":"BuildMaster: the release number, e.g. 1.4.0. Created when missing (from pipeline or release-template); reused when it exists, so re-runs are safe.","default":"","required":false,"secret":false},
  {"name":"release-name","description":"BuildMaster: a name for a release this step creates.","default":"","required":false,"secret":false},
  {"name":"pipeline","description":"BuildMaster: the pipeline of a release this step creates.","default":"","required":false,"secret":false},
  {"name":"release-template","description":"BuildMaster: the release template of a release this step creates (instead of pipeline, or with it to override the template's pipeline).","default":"","required":false,"secret":false},
  {"name":"build","description":"BuildMaster: the build number. create-build/deploy: reused when it exists, generated by BuildMaster when empty; deploy-build, reject-build and wait without job-id: required.","default":"","required":false,"secret":false},
  {"name":"stage","description":"BuildMaster: the pipeline stage to deploy to; empty deploys to the build's next stage. With operation: wait without job-id, the stage whose deployments to wait on; empty, the stage of the build's latest deployment.","default":"","required":false,"secret":false},
  {"name":"force","description":"BuildMaster: true forces the deployment past unmet stage requirements; empty leaves BuildMaster's default.","default":"","required":false,"secret":false},
  {"name":"start-time","description":"BuildMaster: when the deployment starts: a date-time (2026-11-24T02:00), a date, or a time of day (22:30), optionally with Z or +01:00; empty starts now.","default":"","required":false,"secret":false},
  {"name":"reason","description":"BuildMaster, operation: cancel-release: why the release is canceled, recorded by BuildMaster.","default":"","required":false,"secret":false},
  {"name":"wait","description":"true waits for the outcome and gates on it; false returns as soon as the job has started (status: started).","default":"true","required":false,"secret":false},
  {"name":"dry-run","description":"true checks everything the step would do without doing it: the inputs, the credentials (with an authenticated read), and every name the server's API lets it read (template, hosts, application, release, build, job ids). Nothing is created, started, deployed, re-run or canceled, and no GitHub deployment is made; the step says what it would do and what the server's API does not let it check. status is dry-run when every check passed.","default":"false","required":false,"secret":false},
  {"name":"timeout","description":"How long the step may take in all, starting the job included: 90s, 15m, 1h30m or plain seconds, at most 5 days (120h). It bounds every request, retry and wait; when it passes, status is timed-out and the step fails whatever fail-on says.","default":"30m","required":false,"secret":false},
  {"name":"start-timeout","description":"How long the job may stay not started (pending: held by an approval, a start time, a queue, a busy agent) before the step gives up on it: a duration like timeout's. For a job scheduled for later (start-at, start-time) it counts from the scheduled time. When it passes, status is timed-out, the message says the job never started, for how long and what may hold it; Foreman jobs this step started are canceled, other servers' jobs stay pending (the ids are outputs, for a later operation: wait). Empty: only timeout applies.","default":"","required":false,"secret":false},
  {"name":"poll-interval","description":"The first wait between status checks (same forms as timeout; above zero, at most 1h). Later checks back off towards max-poll-interval.","default":"1s","required":false,"secret":false},
  {"name":"max-poll-interval","description":"The longest wait between status checks (same forms as timeout; at most 1h).","default":"60s","required":false,"secret":false},
  {"name":"ca-certificate","description":"A CA certificate (PEM text, or the path of a PEM file) to trust for this step's requests in addition to the usual ones, for a server whose certificate comes from a private CA. Verification is never turned off.","default":"","required":false,"secret":false},
  {"name":"summary-title","description":"The job summary's title; by default 'release-gate: <server> <job>', so two gate steps in one job are told apart.","default":"","required":false,"secret":false},
  {"name":"job-summary","description":"false writes no job summary.","default":"true","required":false,"secret":false},
  {"name":"fail-on","description":"Judges the job's outcome only: warning fails the step on Warning or Error; error fails only on Error; never does not fail on the outcome. A timeout, a cancel, or anything that kept the step from knowing the outcome (bad input, refused credentials, unreachable server) fails the step under every fail-on.","default":"warning","required":false,"secret":false},
  {"name":"max-failed","description":"How many of the units the step judges may fail while it still passes: a count (3) or a share of them (5%, rounded down). Units: Foreman hosts, BuildMaster deployments of the stage, BMC RPM job runs; not Otter (one job). Failures within it pass the step with a warning naming them; over it, the step fails saying by how much. Canceled or never-started units and a timeout are never allowed away; warned BuildMaster deployments stay judged by fail-on. Empty or 0: any failure fails the step.","default":"","required":false,"secret":false},
  {"name":"retry-failed","description":"Foreman only, 0 to 5: when a job invocation this step started ends with failed hosts, run the job again on those hosts only, up to this many times, inside the same timeout; each host is judged by its last attempt (max-failed applies after it). Not with operation: wait or cancel, nor a recurring or unwaited scheduled job.","default":"0","required":false,"secret":false},
  {"name":"github-deployment","description":"true mirrors the gate into GitHub Deployments: a deployment of this commit in environment, in_progress while the job runs, then success, failure or error. Needs 'permissions: deployments: write'. GitHub's failures only warn; they never change the outcome. Default false: no GitHub request is made.","default":"false","required":false,"secret":false},
  {"name":"environment","description":"With github-deployment: the GitHub environment to record the deployment in, e.g. production. Required for Otter, Foreman and BMC RPM; for BuildMaster, empty records each BuildMaster deployment in the GitHub environment named after its BuildMaster environment.","default":"","required":false,"secret":false},
  {"name":"environment-url","description":"With github-deployment: the address of the deployed environment, which GitHub links as View deployment (environment_url), e.g. https://shop.example.com. Empty: none is sent. The job's page on the server goes in the deployment's log_url either way.","default":"","required":false,"secret":false},
  {"name":"github-token","description":"With github-deployment: the token for GitHub's API (GITHUB_API_URL); it needs 'permissions: deployments: write'. The action takes the workflow's token by default (the command has no default: RELEASE_GATE_GITHUB_TOKEN). Masked, never printed.","default":"","required":false,"secret":true},
  {"name":"junit-report","description":"A file to write a JUnit XML report of what the gate watched, for CI test views (GitLab, Jenkins, Azure Pipelines, GitHub test reporters): one test case per Foreman host, BuildMaster deployment, RPM job run or Otter job, failed ones with their last lines of output. Relative to the workspace (the command: the current directory); folders are made as needed. Written at every ending once the inputs are valid; failing to write it only warns. Default empty: no report.","default":"","required":false,"secret":false},
]

export const ACTION_OUTPUTS: readonly ActionOutput[] = [
  {"name":"status","description":"succeeded, warning, failed, canceled, timed-out, or started when not waiting (wait: false, or a scheduled Foreman job), or dry-run when a dry run's checks all passed; empty when the step failed before any outcome was known. Failures that max-failed allows leave it succeeded. canceled and timed-out say why the step stopped waiting, not what became of the job: left-running names the jobs that keep running on the server."},
  {"name":"job-ids","description":"Every id the step waited on, comma-separated: Otter, the job token; BuildMaster, the deployment ids; Foreman, the job invocation id, then each retry's (retry-failed); BMC RPM, the job run ids, including those a filter found while waiting."},
  {"name":"job-id","description":"The job's id: Otter, the job token; BuildMaster, the first deployment id; Foreman, the job invocation id; BMC RPM, the first job run id."},
  {"name":"left-running","description":"The ids of the jobs the step stopped waiting on that keep running on the server, comma-separated; empty when every job ended, or was canceled on the server. Otter's and BuildMaster's APIs cannot cancel a job, the step never cancels a job it did not start (operation: wait), and a server may refuse a cancel: with status canceled or timed-out, an empty left-running means the server canceled every job the step stopped."},
  {"name":"url","description":"A link to the job in the server's UI where one can be formed: BuildMaster, the build's page; Foreman, the job invocation's page; empty for Otter and RPM."},
  {"name":"release-number","description":"BuildMaster: the release number used."},
  {"name":"build-number","description":"BuildMaster: the build number created or used."},
  {"name":"deployment-ids","description":"BuildMaster: the ids of the deployments started (or waited on, or found by operation: wait without job-id), comma-separated."},
  {"name":"hosts-total","description":"Foreman: the number of hosts the job ran on (each host once, whatever its attempts)."},
  {"name":"hosts-succeeded","description":"Foreman: hosts that succeeded, on their first attempt or a later one (retry-failed)."},
  {"name":"hosts-failed","description":"Foreman: hosts that failed, each judged by its last attempt (some may be within max-failed)."},
  {"name":"hosts-canceled","description":"Foreman: hosts that were canceled."},
  {"name":"hosts-cancelled","description":"Foreman: the same as hosts-canceled, under the spelling it had before 1.2.0; kept for the workflows that read it, until 2.0."},
  {"name":"github-deployment-ids","description":"With github-deployment: the ids of the GitHub deployments created, comma-separated."},
]
