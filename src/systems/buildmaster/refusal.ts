// BuildMaster refusing a deploy (HTTP 400): shown in its own words, and, when the stage's requirements are
// what it refuses over, what to do: approve the build in BuildMaster, or deploy past them with force: true.
import { GateError } from '../../contracts/errors.js'
import { buildJson, listOf } from './answers.js'
import type { BuildMasterApi } from './api.js'
import { releaseParams, type Settings } from './inputs.js'
import { inputValue } from '../../contracts/terms.js'

// What BuildMaster's 400 says when a stage's requirements are not met is not documented (the Deploy Build
// page only says "the body will provide some details as text"); Inedo's docs name what a deploy can be
// forced past: the previous stage not deployed, missing approvals, a deployment window ("Force Build" on
// https://docs.inedo.com/docs/buildmaster/ci-cd/continuous-integration/builds; Approvals & Deployment
// Windows). Text about any of those gets the advice.
const REQUIREMENTS = /requirement|approv|window|not met|unmet|previous stage|promot|eligib|force/i

/** How long the build's page is worth looking up, after the deploy was refused. */
const LOOKUP_MS = 5000

/**
 * The deploy's failure as the user should read it: a 400 about the stage's requirements in BuildMaster's
 * words, with what to do (approve the build, with a link to its page, or set force: true); anything else
 * as it was.
 */
export async function explainRefusal(
  error: unknown,
  api: BuildMasterApi,
  settings: Settings,
  build: { number: string; label: string; where: string; serverUrl: URL },
): Promise<unknown> {
  const failure = error instanceof GateError ? error.failure : undefined
  const said = failure?.serverMessage ?? ''
  if (failure?.status !== 400 || !REQUIREMENTS.test(said)) return error
  const refused = `BuildMaster refused to deploy ${build.label} ${build.where} (HTTP 400): ${said.replace(/\.?\s*$/, '.')}`
  // Forced already: BuildMaster refused even so; its words are all there is to say.
  if (settings.force === 'true') return new GateError(refused, false, failure)
  const page = await buildPage(api, settings, build)
  return new GateError(
    `${refused} If the stage's requirements are not met, approve the build (or meet them) in BuildMaster${page ? `: ${page}` : ''}; or set ${inputValue('force', true)} to deploy past unmet requirements, as BuildMaster's Force Deploy does.`,
    false,
    failure,
  )
}

/** The build's page in BuildMaster's UI, where it can be found quickly; undefined otherwise. */
async function buildPage(
  api: BuildMasterApi,
  settings: Settings,
  build: { number: string; serverUrl: URL },
): Promise<string | undefined> {
  try {
    const [found] = await api.readParsed(
      'looking up the build',
      { path: 'api/releases/builds', form: { ...releaseParams(settings), buildNumber: build.number } },
      AbortSignal.timeout(LOOKUP_MS),
      listOf(buildJson),
    )
    if (found?.id === undefined || found.applicationId === undefined) return undefined
    return new URL(
      `applications/${found.applicationId}/builds/build?buildId=${found.id}`,
      build.serverUrl,
    ).toString()
  } catch {
    return undefined
  }
}
