/**
 * Certificates made for one test with the openssl CLI: a CA, and leaf certificates it signs. Leaves are real
 * end-entity certificates (CA:FALSE, a subjectAltName, the extended key usage of their side), because the Rust
 * TLS stack under the worker's NativeConnection refuses a CA certificate used as a server certificate.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CertFiles {
  /** PEM certificate file. */
  cert: string;
  /** PEM private key file (PKCS#8). */
  key: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA named `name` in `dir` (`name.crt`, `name.key`). */
export function makeCa(dir: string, name: string): CertFiles {
  const files = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    files.key,
    '-out',
    files.cert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return files;
}

/**
 * A leaf certificate for `name`, signed by `ca`: `side` 'server' carries `altNames` (e.g. `DNS:localhost`,
 * `IP:127.0.0.1`) and serverAuth; 'client' carries clientAuth.
 */
export function makeLeaf(
  dir: string,
  ca: CertFiles,
  name: string,
  side: 'server' | 'client',
  altNames: string[] = []
): CertFiles {
  const files = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  openssl(['req', '-new', ...EC_KEY, '-keyout', files.key, '-out', csr, '-subj', `/CN=${name}`]);
  writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      `extendedKeyUsage=${side === 'server' ? 'serverAuth' : 'clientAuth'}`,
      ...(altNames.length ? [`subjectAltName=${altNames.join(',')}`] : []),
    ].join('\n')
  );
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    files.cert,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return files;
}

export function pem(file: string): string {
  return readFileSync(file, 'utf8');
}
