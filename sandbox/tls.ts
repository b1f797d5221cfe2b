import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * What `openssl req` needs of a configuration, with the extensions a default openssl.cnf gives a
 * self-signed certificate (v3_ca). Given with -config, so that no machine's own openssl.cnf is read: a
 * Windows build may have none where it looks, and OpenSSL 3's req then fails ("Can't open ... openssl.cnf").
 */
const REQ_CONFIG = `[req]
distinguished_name = dn
x509_extensions = ca
[dn]
[ca]
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always,issuer
basicConstraints = critical,CA:true
`

/**
 * A fresh self-signed certificate for 127.0.0.1 and localhost, made with the machine's openssl: what
 * a server with a private CA looks like to a runner that does not trust it.
 */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'release-gate-tls-'))
  try {
    writeFileSync(join(dir, 'req.cnf'), REQ_CONFIG)
    execFileSync(
      'openssl',
      [
        'req',
        '-config',
        join(dir, 'req.cnf'),
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=release-gate sandbox',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    )
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
