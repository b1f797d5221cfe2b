import type { UnitNames } from './run.js'

/**
 * What the step sets out to do, in words, as a system says it once its inputs are read: the summary's
 * first line and default title, the JUnit report's suite, GitHub's deployments and the post step read it.
 */
export interface Intent {
  /** A phrase: "trigger job template 'deploy-web'". */
  what: string
  /** Names the work in a title: "deploy-web", "web-shop 4.2.0". */
  subject: string
  /** The runs name their own environment (BuildMaster's deployments): an environment per run can be told. */
  environmentPerRun?: boolean
  /**
   * Set when the attempt starts a job: where that job shows on the server, in words (for a step killed before
   * it knew the id).
   */
  starts?: string
  /** What the units max-failed counts are called (hosts, deployments, job runs); none for Otter's one job. */
  units?: UnitNames
}

/** What the step set out to do, and on which server. */
export interface Attempt extends Intent {
  /** 'Otter', 'BuildMaster', ... */
  server: string
  serverUrl: string
}
