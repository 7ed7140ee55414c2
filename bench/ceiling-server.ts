/**
 * The ceiling of the benchmark: a bare node:http2 TLS server (client certificates requested, as
 * an API server does) that answers every request with one constant Flunder-sized JSON body.
 * Usage: node --import tsx bench/ceiling-server.ts <port> <tls-dir> (prints "ready" when listening).
 */
import { createSecureServer } from 'node:http2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [port, dir] = process.argv.slice(2);
const body = JSON.stringify({
  kind: 'Flunder', apiVersion: 'wardle.example.com/v1beta1',
  metadata: { name: 'get-target', namespace: 'bench-ops', uid: '6b1f3f2e-2c55-4d43-9a0e-0d3c8e6d6a01', resourceVersion: '12345', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { flunderReference: 'other', referenceType: 'Flunder' },
});
const server = createSecureServer({
  cert: readFileSync(join(dir, 'tls.crt')), key: readFileSync(join(dir, 'tls.key')), allowHTTP1: true, requestCert: true, rejectUnauthorized: false,
}, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
