import type { HttpFailure } from '../contracts/http-failure.js'
import { hostPhrase, inputRef, theInput } from '../contracts/terms.js'

export interface FailureContext {
  /** 'Otter', 'BuildMaster', ... */
  server: string
  /** The server URL as the user gave it (it never carries secrets: config rejects that). */
  serverUrl: string
  /** What we were doing, as a phrase: "triggering job template 'deploy'". */
  doing: string
}

/**
 * The failure in the user's terms: what we were doing, what the server said, and what to check.
 * Adapters handle the cases that mean something specific for their API first and fall back to this.
 */
export function explainFailure(failure: HttpFailure, context: FailureContext): string {
  const { server, serverUrl, doing } = context
  const said = failure.serverMessage ? `: ${failure.serverMessage}` : ''
  const status = failure.status ? ` (HTTP ${failure.status})` : ''
  switch (failure.kind) {
    case 'unreachable':
      if (failure.proxy) {
        return `Could not reach ${server} at ${serverUrl} while ${doing}: ${failure.cause}. Nothing reached ${server}. Check the proxy settings of ${hostPhrase('this-runner')} (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) and that the proxy lets it through to the server.`
      }
      return `Could not reach ${server} at ${serverUrl} while ${doing} (${failure.cause}). Check ${inputRef('server-url')} and that ${hostPhrase('this-runner')} can reach the server.`
    case 'connection-lost':
      return `${server} did not answer while ${doing} (${failure.cause}), even after retries. The server or a proxy in front of it may be overloaded.`
    case 'redirected':
      return `${server} answered ${doing} with ${failure.serverMessage}${status}. ${inputRef('server-url')} may need https:// or the server's context path, or a login page sits in front of the API.`
    case 'unexpected-body':
      return `${server} answered ${doing} with ${failure.serverMessage}${status} instead of an API response. A login page or proxy may sit in front of the API, or ${inputRef('server-url')} may point at the wrong place (${serverUrl}).`
    case 'unauthorized':
    case 'forbidden':
      return `${server} refused the credentials while ${doing}${status}${said}. Check the credentials and their permissions.`
    case 'not-found':
      return `${server} found nothing at ${failure.request}${status} while ${doing}${said}. Check ${inputRef('server-url')} (${serverUrl}), including any context path.`
    case 'method-not-allowed':
      return `${server} does not allow ${failure.request}${status} while ${doing}. ${inputRef('server-url')} may point at a different product or API version.`
    case 'rate-limited':
      return `${server} kept answering 'too many requests'${status} while ${doing}, even after waiting as it asked.`
    case 'server-error':
      return `${server} failed while ${doing}${status}${said}.`
    case 'rejected':
      return `${server} rejected ${doing}${status}${said}`
    case 'too-large':
      return `${server}'s answer while ${doing} was too large: ${failure.cause}. It was refused rather than cut short.`
    case 'untrusted-certificate':
      return `The TLS certificate of ${server} at ${serverUrl} is not trusted (${failure.cause}) while ${doing}. If the server uses a private or self-signed CA, give that CA's certificate (PEM) in ${theInput('ca-certificate')}, or set NODE_EXTRA_CA_CERTS on ${hostPhrase('this-runner')}.`
    case 'not-sendable':
      return `The request to ${server} could not be sent while ${doing}: ${failure.cause}.`
  }
}
