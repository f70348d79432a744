// Interop test: drives cforg-emulator with the official Cloudflare TypeScript SDK (npm package
// `cloudflare`, pinned in package.json) and checks the answers against what the SDK expects and
// against the published contract (/work/shared/cloudflare-organizations-api.md). See README.md.
//
//   CFORG_EMULATOR_BIN=path/to/cforg-emulator node sdk_interop.mjs \
//       [--delete-response empty|envelope|empty,envelope] [--suite all|main|settings]
//
// --suite main: create/list/get/rename/profile/delete/errors, once per DELETE answer;
// --suite settings: the cases that need their own emulator flags (consistency window, id format,
// profile and PUT readings, strict auth, rate limit); all (default): both.
//
// Environment:
//   CFORG_EMULATOR_BIN          the emulator binary (or the first non-option argument)
//   CFORG_INTEROP_NODE_MODULES  where `npm ci` put node_modules (default: beside this file)
//   CFORG_INTEROP_DELETE_MODES  comma-separated DELETE answers to run the suite against
//                               (default "empty,envelope"; --delete-response X overrides)
//   CFORG_INTEROP_ALLOW_MISSING_FLAGS=1  skip (visibly) the cases that need an emulator flag the
//                               binary does not have, instead of failing them
//
// Where the contract allows several readings, the case accepts each of them and prints which one
// it saw as a "NOTE" line; where the SDK and the contract disagree it prints "DISAGREEMENT". A
// summary of both is printed at the end.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

// ---------------------------------------------------------------------------------------------
// Setup: the emulator binary, the SDK, the flags the binary knows.

const here = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
let deleteModesArg = null;
let suite = 'all';
const positional = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--delete-response') deleteModesArg = argv[++i];
  else if (argv[i] === '--suite') suite = argv[++i];
  else if (!argv[i].startsWith('--')) positional.push(argv[i]);
  else {
    console.error(`sdk_interop: unknown option ${argv[i]}`);
    process.exit(2);
  }
}
if (!['all', 'main', 'settings'].includes(suite)) {
  console.error(`sdk_interop: --suite all|main|settings, not ${suite}`);
  process.exit(2);
}
const EMULATOR = process.env.CFORG_EMULATOR_BIN || positional[0];
if (!EMULATOR || !existsSync(EMULATOR)) {
  console.error(`sdk_interop: no emulator binary: set CFORG_EMULATOR_BIN (got ${EMULATOR ?? 'nothing'})`);
  process.exit(2);
}
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 18) {
  console.error(`sdk_interop: node ${process.versions.node} is too old; the SDK needs Node.js 20 or later`);
  process.exit(2);
}
if (nodeMajor < 20) {
  console.log(`# WARNING: node ${process.versions.node}: the SDK supports Node.js 20 LTS or later ` +
              '(18 works for these calls, which upload no files)');
}

const modulesDir = process.env.CFORG_INTEROP_NODE_MODULES || join(here, 'node_modules');
const sdkDir = join(modulesDir, 'cloudflare');
const PINNED = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).dependencies.cloudflare;
if (!existsSync(join(sdkDir, 'package.json'))) {
  console.error(`sdk_interop: the SDK is not installed in ${modulesDir}: run \`npm ci\` in ${here}`);
  process.exit(2);
}
const SDK_VERSION = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')).version;
if (SDK_VERSION !== PINNED) {
  console.error(`sdk_interop: installed cloudflare ${SDK_VERSION} is not the pinned ${PINNED}: run \`npm ci\``);
  process.exit(2);
}
const sdk = await import(pathToFileURL(join(sdkDir, 'index.mjs')).href);
const Cloudflare = sdk.default;
const { APIError, BadRequestError, NotFoundError, PermissionDeniedError, AuthenticationError,
        RateLimitError } = sdk;

const help = execFileSync(EMULATOR, ['--help'], { encoding: 'utf8' });
const FLAGS = new Set([...help.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]));
const ALLOW_MISSING = process.env.CFORG_INTEROP_ALLOW_MISSING_FLAGS === '1';
const has = (...flags) => flags.every((f) => FLAGS.has(f));
// Options for it(): a case that needs flags the binary lacks fails (or, when allowed, skips
// with the reason shown).
function needs(...flags) {
  const missing = flags.filter((f) => !FLAGS.has(f));
  if (missing.length === 0 || !ALLOW_MISSING) return {};
  return { skip: `emulator has no ${missing.map((f) => '--' + f).join(', ')}` };
}
function requireFlags(...flags) {
  const missing = flags.filter((f) => !FLAGS.has(f));
  assert.equal(missing.length, 0,
    `the emulator binary has no ${missing.map((f) => '--' + f).join(', ')} (needed by this case)`);
}

// Most cases want no consistency window.
const C0 = has('consistency-ms') ? ['--consistency-ms', '0'] : [];

const TOKEN = 'interop-token';
const EMAIL = 'interop@example.com';
const KEY = 'interop-global-key';

// What we learned, printed at the end.
const findings = new Map();  // text -> kind
function finding(kind, text) {
  if (!findings.has(text)) {
    findings.set(text, kind);
    console.log(`# ${kind}: ${text}`);
  }
}
const note = (text) => finding('NOTE', text);
const disagreement = (text) => finding('DISAGREEMENT', text);

// ---------------------------------------------------------------------------------------------
// The emulator process.

async function startEmulator(extra = []) {
  const args = ['--port', '0', '--token', TOKEN, '--email', EMAIL, '--key', KEY,
                ...(extra.includes('--pagination') ? [] : ['--pagination', 'next_page_token']),
                ...extra];
  const proc = spawn(EMULATOR, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const baseURL = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start in 10 s: ${stderr}`)), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const m = /^listening on (http:\/\/\S+\/client\/v4)\s*$/.exec(out.slice(0, nl));
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line from the emulator: ${out.slice(0, nl)}`));
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code} (args ${args.join(' ')}): ${stderr}`));
    });
  });
  proc.stdout.resume();
  return {
    baseURL,
    args,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 6000);
      await exited;
      clearTimeout(killer);
    },
  };
}

// The scheme the spec lists for every call: X-Auth-Email + X-Auth-Key.
function keyClient(emu, opts = {}) {
  return new Cloudflare({ baseURL: emu.baseURL, apiEmail: EMAIL, apiKey: KEY, maxRetries: 0,
                          timeout: 15000, ...opts });
}
function tokenClient(emu, opts = {}) {
  return new Cloudflare({ baseURL: emu.baseURL, apiToken: TOKEN, maxRetries: 0, timeout: 15000,
                          ...opts });
}

// ---------------------------------------------------------------------------------------------
// Shape checks: what the SDK's types (cloudflare 7.3.0, resources/organizations) declare.

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const PROFILE_FIELDS = ['business_address', 'business_email', 'business_name', 'business_phone',
                        'external_metadata'];
// Organization.Meta.TenantFlags in 7.3.0: every member a required string.
const TENANT_FLAGS = ['account_creation', 'account_creation_applies_tenant_defaults',
                      'account_deletion', 'account_migration', 'account_mobility',
                      'enterprise_capability', 'member_management', 'sub_org_creation'];

function checkProfile(p, where) {
  assert.equal(typeof p, 'object', `${where}: profile is an object`);
  assert.notEqual(p, null, `${where}: profile is not null`);
  for (const f of PROFILE_FIELDS) assert.equal(typeof p[f], 'string', `${where}: profile.${f} is a string`);
}

function checkOrganization(o, where = 'organization') {
  assert.equal(typeof o, 'object', `${where} is an object`);
  assert.notEqual(o, null, `${where} is not null`);
  assert.equal(typeof o.id, 'string', `${where}.id is a string`);
  assert.ok(o.id.length > 0, `${where}.id is not empty`);
  assert.equal(typeof o.name, 'string', `${where}.name is a string`);
  assert.equal(typeof o.create_time, 'string', `${where}.create_time is a string`);
  assert.match(o.create_time, RFC3339, `${where}.create_time is RFC 3339`);
  assert.ok(!Number.isNaN(Date.parse(o.create_time)), `${where}.create_time parses`);
  // `meta` is the one non-optional object of the SDK's Organization type.
  assert.equal(typeof o.meta, 'object', `${where}.meta is an object (required by the SDK type)`);
  assert.notEqual(o.meta, null);
  if ('hierarchy_tags' in o.meta) {
    assert.ok(Array.isArray(o.meta.hierarchy_tags), `${where}.meta.hierarchy_tags is an array`);
    for (const t of o.meta.hierarchy_tags) assert.equal(typeof t, 'string');
  }
  if ('managed_by' in o.meta) assert.equal(typeof o.meta.managed_by, 'string');
  if ('tenant_flags' in o.meta) {
    const missing = TENANT_FLAGS.filter((f) => typeof o.meta.tenant_flags?.[f] !== 'string');
    if (missing.length) {
      disagreement(`meta.tenant_flags lacks members SDK ${SDK_VERSION} types as required strings: ` +
                   missing.join(', '));
    }
  } else if ('flags' in o.meta) {
    disagreement(`the emulator sends meta.flags; SDK ${SDK_VERSION} types it as meta.tenant_flags ` +
                 `(renamed in 7.1.0; the contract says accept both, so the SDK just sees an ` +
                 `untyped extra key)`);
  }
  // null where the SDK types an optional object: reported here, failed by its own case
  // ("no null for an absent parent or profile") so that one cause fails one case.
  for (const k of ['parent', 'profile']) {
    if (o[k] === null) {
      disagreement(`the emulator answers "${k}": null (seen in ${where}); SDK ${SDK_VERSION} types ` +
                   `${k} as optional, not nullable, and the contract says "optional; when present all ` +
                   'five are strings" / absent means "not told": leave the key out');
    }
  }
  if ('parent' in o && o.parent != null) {
    assert.equal(typeof o.parent, 'object', `${where}.parent is an object`);
    assert.equal(typeof o.parent.id, 'string', `${where}.parent.id is a string`);
    assert.equal(typeof o.parent.name, 'string', `${where}.parent.name is a string`);
  }
  if ('profile' in o && o.profile != null) checkProfile(o.profile, `${where}.profile`);
}

// An SDK error carrying a Cloudflare error envelope.
function checkAPIError(err, Class, status, where) {
  assert.ok(err instanceof APIError, `${where}: an APIError, got ${err?.constructor?.name}: ${err}`);
  if (Class) assert.ok(err instanceof Class, `${where}: a ${Class.name}, got ${err.constructor.name} (${err.status})`);
  if (status !== undefined) {
    const ok = Array.isArray(status) ? status.includes(err.status) : err.status === status;
    assert.ok(ok, `${where}: status ${err.status}, expected ${status}`);
  }
  assert.equal(typeof err.error, 'object', `${where}: the body was parsed as JSON`);
  assert.equal(err.error?.success, false, `${where}: envelope success is false`);
  assert.ok(Array.isArray(err.errors) && err.errors.length > 0, `${where}: errors[] is not empty`);
  for (const e of err.errors) {
    assert.ok(Number.isInteger(e.code), `${where}: errors[].code is an integer (${JSON.stringify(e)})`);
    assert.equal(typeof e.message, 'string', `${where}: errors[].message is a string`);
    assert.ok(e.message.length > 0);
    if (e.source !== undefined) assert.equal(typeof e.source.pointer, 'string');
  }
  assert.ok(err.message.startsWith(String(err.status)), `${where}: the SDK's message starts with the status`);
  return err;
}

async function rejects(promise, Class, status, where) {
  try {
    const v = await promise;
    assert.fail(`${where}: expected ${Class?.name ?? 'an APIError'} ${status}, the call succeeded with ${JSON.stringify(v)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return checkAPIError(err, Class, status, where);
  }
}

// Every item of a list, following result_info.next_page_token as the contract publishes it
// (the SDK models the list as a single page and does not follow it).
async function listAll(client, query, pageSize = 5) {
  const items = [];
  const seen = new Set();
  let token;
  let pages = 0;
  for (;;) {
    const page = await client.organizations.list({ ...query, page_size: pageSize,
                                                   ...(token ? { page_token: token } : {}) });
    pages++;
    assert.ok(Array.isArray(page.result), 'page.result is an array');
    assert.ok(page.result.length <= pageSize, `a page holds at most page_size (${pageSize}) items`);
    items.push(...page.result);
    const info = page.body.result_info;
    assert.equal(typeof info, 'object', 'a list answer carries result_info');
    token = info.next_page_token;
    if (token === undefined) break;
    assert.equal(typeof token, 'string', 'next_page_token is a string');
    assert.notEqual(token, '', 'next_page_token is omitted, not empty, on the last page');
    assert.ok(!seen.has(token), 'a next_page_token never repeats');
    seen.add(token);
    assert.ok(pages < 200, 'pagination ends');
  }
  return { items, pages };
}

const uniq = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const profileOf = (tag) => ({
  business_address: `1 ${tag} Street, Lisbon`,
  business_email: `${tag}@example.com`,
  business_name: `${tag} Ltd`,
  business_phone: '+351 21 000 0000',
  external_metadata: JSON.stringify({ tag }),
});

// ---------------------------------------------------------------------------------------------
// The suite, once per DELETE answer.

const modes = (deleteModesArg ?? process.env.CFORG_INTEROP_DELETE_MODES ?? 'empty,envelope')
  .split(',').map((s) => s.trim()).filter(Boolean);
for (const m of modes) {
  if (!['empty', 'envelope'].includes(m)) {
    console.error(`sdk_interop: unknown DELETE answer ${m} (empty|envelope)`);
    process.exit(2);
  }
}

console.log(`# cloudflare SDK ${SDK_VERSION}, node ${process.versions.node}, emulator ${EMULATOR}`);

for (const mode of suite === 'settings' ? [] : modes) {
  describe(`cloudflare ${SDK_VERSION} against cforg-emulator --delete-response ${mode}`, () => {
    let emu;
    let cf;
    const base = () => [
      ...C0,
      ...(has('delete-response') ? ['--delete-response', mode] : []),
    ];

    before(async () => {
      if (!has('delete-response') && !ALLOW_MISSING) {
        throw new Error('the emulator binary has no --delete-response: cannot choose the DELETE answer');
      }
      emu = await startEmulator(base());
      cf = keyClient(emu);
    });
    after(async () => { await emu?.stop(); });

    describe('create and get', () => {
      let root;
      let child;

      it('organizations.create() makes a root organization', async () => {
        root = await cf.organizations.create({ name: `Root ${uniq}`, profile: profileOf('root') });
        checkOrganization(root, 'created root');
        assert.equal(root.name, `Root ${uniq}`);
        assert.equal(root.parent, undefined, 'a root has no parent');
        if (/^[0-9a-f]{32}$/.test(root.id)) note(`default ids are 32 hex digits (${root.id})`);
        if (root.profile === undefined) note('the create answer leaves profile out');
        else assert.deepEqual(root.profile, profileOf('root'));
        if (Array.isArray(root.meta.hierarchy_tags)) assert.equal(root.meta.hierarchy_tags.length, 1);
      });

      it('organizations.create() with parent makes a child', async () => {
        child = await cf.organizations.create({ name: `Child ${uniq}`, parent: { id: root.id } });
        checkOrganization(child, 'created child');
        assert.deepEqual(child.parent, { id: root.id, name: root.name });
        if (Array.isArray(child.meta.hierarchy_tags)) {
          assert.equal(child.meta.hierarchy_tags.length, 2, 'hierarchy_tags is [root, self]');
          assert.equal(child.meta.hierarchy_tags[0], root.meta.hierarchy_tags[0]);
        }
      });

      it('organizations.get() returns what create returned', async () => {
        const got = await cf.organizations.get(child.id);
        checkOrganization(got, 'got child');
        for (const k of ['id', 'name', 'create_time', 'parent']) assert.deepEqual(got[k], child[k], k);
        const gotRoot = await cf.organizations.get(root.id);
        checkOrganization(gotRoot, 'got root');
        if (gotRoot.profile === undefined) note('GET /organizations/{id} leaves profile out');
        else assert.deepEqual(gotRoot.profile, profileOf('root'));
      });

      it('organizations.get().withResponse() is a 200 JSON envelope', async () => {
        const { data, response } = await cf.organizations.get(root.id).withResponse();
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /application\/json/);
        assert.equal(data.id, root.id);
      });

      it('no null for an absent parent or profile (create, get, list, update answers)', async () => {
        const bare = await cf.organizations.create({ name: `Bare ${uniq}` });
        const answers = {
          create: bare,
          get: await cf.organizations.get(bare.id),
          list: (await cf.organizations.list({ id: [bare.id] })).result[0],
          update: await cf.organizations.update(bare.id, { name: `Bare2 ${uniq}` }),
        };
        const nulls = [];
        for (const [call, o] of Object.entries(answers)) {
          for (const k of ['parent', 'profile']) if (o[k] === null) nulls.push(`${call}: "${k}": null`);
        }
        assert.deepEqual(nulls, [], 'SDK 7.3.0 types parent and profile as optional (absent), not ' +
                         'nullable, and the contract says of profile "when present all five are strings"');
      });

      it('create answers 200 (not 201)', async () => {
        const { response } = await cf.organizations.create({ name: `Status ${uniq}` }).withResponse();
        assert.equal(response.status, 200);
      });
    });

    describe('list: pages', () => {
      let pager;
      const made = [];
      const N = 23;

      before(async () => {
        pager = await cf.organizations.create({ name: `Pager ${uniq}` });
        for (let i = 0; i < N; i++) {
          made.push(await cf.organizations.create({ name: `page-${String(i).padStart(2, '0')} ${uniq}`,
                                                     parent: { id: pager.id } }));
        }
      });

      it('organizations.list() with page_size gives one page and a next_page_token', async () => {
        const page = await cf.organizations.list({ parent: { id: pager.id }, page_size: 5 });
        assert.equal(page.result.length, 5);
        page.result.forEach((o, i) => checkOrganization(o, `list item ${i}`));
        assert.deepEqual(page.result.map((o) => o.id), made.slice(0, 5).map((o) => o.id),
                         'creation order');
        // The SDK's own paging: SinglePage never has a next page.
        assert.equal(page.hasNextPage(), false, 'SDK SinglePage.hasNextPage() is false');
        disagreement(`SDK ${SDK_VERSION} models organizations.list() as a SinglePage: hasNextPage() is ` +
                     'false and for-await stops after page 1 even when result_info.next_page_token ' +
                     'is present (the contract documents this); callers must pass page_token themselves');
        const info = page.body.result_info;
        assert.equal(typeof info.next_page_token, 'string', 'result_info.next_page_token on a non-last page');
        assert.equal(info.total_size, N, 'result_info.total_size counts all matches (contract: {next_page_token, total_size})');
        for (const k of ['cursor', 'page', 'per_page', 'count', 'total_count']) {
          if (k in info) note(`result_info also carries ${k} (not in the published {next_page_token, total_size})`);
        }
      });

      it('for await over organizations.list() stops after the first page (SDK SinglePage)', async () => {
        const seen = [];
        for await (const o of cf.organizations.list({ parent: { id: pager.id }, page_size: 4 })) seen.push(o.id);
        assert.deepEqual(seen, made.slice(0, 4).map((o) => o.id));
      });

      it('following next_page_token with page_token visits every child once, in order', async () => {
        const { items, pages } = await listAll(cf, { parent: { id: pager.id } }, 5);
        assert.equal(pages, Math.ceil(N / 5));
        assert.deepEqual(items.map((o) => o.id), made.map((o) => o.id));
      });

      it('an exact multiple of page_size ends without an empty extra page or with one', async () => {
        const { items, pages } = await listAll(cf, { parent: { id: pager.id } }, 23);
        assert.equal(items.length, N);
        assert.ok(pages === 1 || pages === 2);
        if (pages === 2) note('a page that ends exactly at the last item still carries next_page_token');
      });

      it('page_size defaults to 10', async () => {
        const page = await cf.organizations.list({ parent: { id: pager.id } });
        assert.equal(page.result.length, 10);
      });

      it('page_size may change between pages', async () => {
        const p1 = await cf.organizations.list({ parent: { id: pager.id }, page_size: 3 });
        const p2 = await cf.organizations.list({ parent: { id: pager.id }, page_size: 7,
                                                 page_token: p1.body.result_info.next_page_token });
        assert.deepEqual(p2.result.map((o) => o.id), made.slice(3, 10).map((o) => o.id));
      });

      it('a list answer is a 200 envelope with success true', async () => {
        const { data, response } = await cf.organizations.list({ parent: { id: pager.id }, page_size: 2 })
          .withResponse();
        assert.equal(response.status, 200);
        assert.equal(data.body.success, true);
        assert.ok(Array.isArray(data.body.errors));
        assert.ok(Array.isArray(data.body.messages));
      });

      it('an API token may list (the spec lets the list take a token)', async () => {
        const page = await tokenClient(emu).organizations.list({ parent: { id: pager.id }, page_size: 2 });
        assert.equal(page.result.length, 2);
      });
    });

    describe('list: filters', () => {
      let fam;
      let a;
      let b;
      let c;
      let grandchild;

      before(async () => {
        fam = await cf.organizations.create({ name: `Family ${uniq}` });
        a = await cf.organizations.create({ name: `Zq-Filter-Alpha-${uniq}`, parent: { id: fam.id } });
        b = await cf.organizations.create({ name: `zq-filter-alpha-${uniq}`, parent: { id: fam.id } });
        c = await cf.organizations.create({ name: `Zq-Filter-Alpha-${uniq}-bet`, parent: { id: fam.id } });
        grandchild = await cf.organizations.create({ name: `Grandchild ${uniq}`, parent: { id: a.id } });
      });

      it('id: repeated id= returns exactly those organizations', async () => {
        const page = await cf.organizations.list({ id: [c.id, a.id] });
        assert.deepEqual(new Set(page.result.map((o) => o.id)), new Set([a.id, c.id]));
        const one = await cf.organizations.list({ id: [b.id] });
        assert.deepEqual(one.result.map((o) => o.id), [b.id]);
      });

      it('id: an unknown id matches nothing', async () => {
        const page = await cf.organizations.list({ id: ['a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8'] });
        assert.deepEqual(page.result, []);
      });

      it('name=: exact and case-sensitive (sent as a plain string)', async () => {
        // SDK 7.3.0 types `name` as {contains, startsWith, endsWith} only; a plain string still
        // serialises to name=... at runtime, which is the contract's exact filter.
        disagreement(`SDK ${SDK_VERSION} OrganizationListParams.name has no exact-match member ` +
                     '(only contains/startsWith/endsWith); the contract publishes name= as exact ' +
                     'and case-sensitive. Passing a string works at runtime only (a type error in TS)');
        const page = await cf.organizations.list({ name: `Zq-Filter-Alpha-${uniq}` });
        assert.deepEqual(page.result.map((o) => o.id), [a.id]);
      });

      it('name.contains: case-insensitive substring', async () => {
        const { items } = await listAll(cf, { name: { contains: `ZQ-FILTER-ALPHA-${uniq}`.toUpperCase() } });
        assert.deepEqual(items.map((o) => o.id), [a.id, b.id, c.id]);
      });

      it('name.startsWith and name.endsWith: case-insensitive', async () => {
        const s = await listAll(cf, { name: { startsWith: 'zQ-fIlTeR-aLpHa-' }, parent: { id: fam.id } });
        assert.deepEqual(s.items.map((o) => o.id), [a.id, b.id, c.id]);
        const e = await listAll(cf, { name: { endsWith: `${uniq}-BET`.toUpperCase() } });
        assert.deepEqual(e.items.map((o) => o.id), [c.id]);
      });

      it('parent.id: the children of one organization', async () => {
        const { items } = await listAll(cf, { parent: { id: fam.id } });
        assert.deepEqual(items.map((o) => o.id), [a.id, b.id, c.id]);
        for (const o of items) assert.deepEqual(o.parent, { id: fam.id, name: fam.name });
      });

      it('parent.id=null: root organizations only', async () => {
        const { items } = await listAll(cf, { parent: { id: 'null' } }, 50);
        assert.ok(items.some((o) => o.id === fam.id), 'the family root is listed');
        for (const o of items) assert.equal(o.parent, undefined, `${o.name} is a root`);
      });

      it('filters combine with AND and must be repeated with page_token', async () => {
        const { items } = await listAll(cf, { parent: { id: fam.id }, name: { contains: '-bet' } }, 1);
        assert.deepEqual(items.map((o) => o.id), [c.id]);
        const p1 = await cf.organizations.list({ parent: { id: fam.id }, page_size: 1 });
        const p2 = await cf.organizations.list({ parent: { id: fam.id }, page_size: 1,
                                                 page_token: p1.body.result_info.next_page_token });
        assert.deepEqual(p2.result.map((o) => o.id), [b.id]);
      });

      it('containing.organization: the organizations that contain it', async () => {
        const { items } = await listAll(cf, { containing: { organization: grandchild.id } });
        const ids = items.map((o) => o.id);
        assert.ok(ids.includes(fam.id) && ids.includes(a.id), 'its ancestors are listed');
        for (const id of ids) assert.ok([fam.id, a.id, grandchild.id].includes(id), 'nothing else');
        if (ids.includes(grandchild.id)) note('containing.organization lists the organization itself too');
      });
    });

    describe('rename (organizations.update)', () => {
      let parent;
      let other;
      let org;

      before(async () => {
        parent = await cf.organizations.create({ name: `Renames ${uniq}` });
        other = await cf.organizations.create({ name: `Elsewhere ${uniq}` });
        org = await cf.organizations.create({ name: `Before ${uniq}`, parent: { id: parent.id },
                                              profile: profileOf('rename') });
      });

      it('update(id, {name}) renames and keeps parent and profile', async () => {
        const renamed = await cf.organizations.update(org.id, { name: `After ${uniq}` });
        checkOrganization(renamed, 'renamed');
        assert.equal(renamed.id, org.id);
        assert.equal(renamed.name, `After ${uniq}`);
        assert.equal(renamed.create_time, org.create_time);
        assert.deepEqual(renamed.parent, { id: parent.id, name: parent.name },
                         'a name-only PUT keeps the parent (spec: only accepts updates to name)');
        const got = await cf.organizations.get(org.id);
        assert.equal(got.name, `After ${uniq}`);
        assert.equal(got.parent?.id, parent.id);
        const profile = await cf.organizations.organizationProfile.get(org.id);
        assert.deepEqual(profile, profileOf('rename'), 'a name-only PUT keeps the profile');
      });

      it('a child shows its parent\'s new name', async () => {
        const kid = await cf.organizations.create({ name: `Kid ${uniq}`, parent: { id: org.id } });
        await cf.organizations.update(org.id, { name: `After2 ${uniq}` });
        const got = await cf.organizations.get(kid.id);
        assert.equal(got.parent?.name, `After2 ${uniq}`);
      });

      it('update() with a parent cannot move the organization', async () => {
        disagreement(`SDK ${SDK_VERSION} OrganizationUpdateParams still declares parent and profile; ` +
                     'the spec says PUT "Only accepts updates to name currently" (and the method doc ' +
                     'says "Update an organization\'s name")');
        let res;
        let refused;
        try {
          res = await cf.organizations.update(org.id, { name: `After3 ${uniq}`, parent: { id: other.id } });
        } catch (err) {
          refused = err;
        }
        if (refused) {
          checkAPIError(refused, BadRequestError, 400, 'PUT with parent');
          note('PUT with an extra parent member is refused with 400');
        } else {
          assert.equal(res.parent?.id, parent.id, 'PUT with an extra parent member must not move the organization');
          note('PUT with an extra parent member succeeds and ignores it');
        }
        const got = await cf.organizations.get(org.id);
        assert.equal(got.parent?.id, parent.id, 'there is no way to change a parent through the API');
      });

      it('update() without a name is a 400 BadRequestError', async () => {
        const err = await rejects(cf.organizations.update(org.id, {}), BadRequestError, 400, 'PUT {}');
        assert.ok(err.errors[0].message.length > 0);
      });

      it('update() of a missing organization is a 404 NotFoundError', async () => {
        await rejects(cf.organizations.update('a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8', { name: 'x' }),
                      NotFoundError, 404, 'PUT missing');
      });
    });

    describe('profile (organizations.organizationProfile)', () => {
      let org;

      before(async () => { org = await cf.organizations.create({ name: `Profiled ${uniq}` }); });

      it('organizationProfile.get() of an organization without a profile', async () => {
        try {
          const p = await cf.organizations.organizationProfile.get(org.id);
          assert.equal(p, null, 'no profile reads as null');
          note('GET .../profile of an org without one: 200 with result null (SDK returns null, typed OrganizationProfile)');
        } catch (err) {
          checkAPIError(err, NotFoundError, 404, 'GET missing profile');
          note('GET .../profile of an org without one: 404 (SDK raises NotFoundError)');
        }
      });

      it('organizationProfile.update() is a 204 without a body; the SDK returns nothing', async () => {
        const { data, response } = await cf.organizations.organizationProfile
          .update(org.id, profileOf('profiled')).withResponse();
        assert.equal(response.status, 204, 'PUT .../profile answers 204 (contract)');
        assert.equal(data, null, 'the SDK hands back no body');
      });

      it('organizationProfile.get() returns the five fields', async () => {
        const p = await cf.organizations.organizationProfile.get(org.id);
        checkProfile(p, 'profile');
        assert.deepEqual(p, profileOf('profiled'));
        const got = await cf.organizations.get(org.id);
        if (got.profile !== undefined) assert.deepEqual(got.profile, profileOf('profiled'));
      });

      it('organizationProfile.update() replaces the profile', async () => {
        await cf.organizations.organizationProfile.update(org.id, profileOf('second'));
        assert.deepEqual(await cf.organizations.organizationProfile.get(org.id), profileOf('second'));
      });

      it('organizationProfile.update() with a field missing is a 400 BadRequestError', async () => {
        const { business_phone, ...partial } = profileOf('partial');
        void business_phone;
        await rejects(cf.organizations.organizationProfile.update(org.id, partial), BadRequestError, 400,
                      'profile PUT without business_phone');
        await rejects(cf.organizations.organizationProfile.update(org.id, { ...profileOf('n'), business_phone: 42 }),
                      BadRequestError, 400, 'profile PUT with a number');
        assert.deepEqual(await cf.organizations.organizationProfile.get(org.id), profileOf('second'),
                         'a refused PUT changes nothing');
      });

      it('profile of a missing organization is a 404 NotFoundError', async () => {
        await rejects(cf.organizations.organizationProfile.get('a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8'),
                      NotFoundError, 404, 'GET profile of missing org');
        await rejects(cf.organizations.organizationProfile.update('a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8', profileOf('x')),
                      NotFoundError, 404, 'PUT profile of missing org');
      });
    });

    describe(`delete (answer: ${mode})`, () => {
      it(`organizations.delete() ${mode === 'envelope' ? 'returns {id}' : 'on a 2xx without a body'}`, async () => {
        const org = await cf.organizations.create({ name: `Doomed ${uniq}` });
        if (mode === 'envelope') {
          const { data, response } = await cf.organizations.delete(org.id).withResponse();
          assert.equal(response.status, 200);
          assert.deepEqual(data, { id: org.id }, 'OrganizationDeleteResponse is {id}');
        } else {
          let sdkError = null;
          let res;
          try {
            res = await cf.organizations.delete(org.id);
          } catch (err) {
            if (err instanceof APIError) throw err;
            sdkError = err;
          }
          if (!sdkError) {
            assert.ok(res === undefined || res === null, `an empty answer, but the SDK returned ${JSON.stringify(res)}`);
          } else {
            assert.ok(sdkError instanceof TypeError, `the SDK failed with ${sdkError}`);
            disagreement(`SDK ${SDK_VERSION} organizations.delete() throws "${sdkError.message}" on a ` +
                         '2xx with an empty body, which the contract allows (it unwraps obj.result of ' +
                         'a null body); the delete did happen. Only the {result: {id}} answer works ' +
                         'with this SDK version');
          }
        }
        await rejects(cf.organizations.get(org.id), NotFoundError, 404, 'get after delete');
      });

      it('the raw DELETE answer has the configured shape', async () => {
        const org = await cf.organizations.create({ name: `Doomed raw ${uniq}` });
        const response = await cf.organizations.delete(org.id).asResponse();
        const text = await response.text();
        if (mode === 'empty') {
          assert.ok(response.status >= 200 && response.status < 300, `2xx, got ${response.status}`);
          assert.equal(response.status, 204, 'the emulator\'s empty answer is a 204');
          assert.equal(text, '', 'no body');
        } else {
          assert.equal(response.status, 200);
          const body = JSON.parse(text);
          assert.equal(body.success, true);
          assert.deepEqual(body.result, { id: org.id });
        }
      });

      it('deleting an organization with a sub-organization is refused, and nothing is deleted', async () => {
        const p = await cf.organizations.create({ name: `Not empty ${uniq}` });
        const k = await cf.organizations.create({ name: `Keeps it ${uniq}`, parent: { id: p.id } });
        const err = await rejects(cf.organizations.delete(p.id), undefined, undefined, 'delete non-empty');
        assert.ok(err.status >= 400 && err.status < 500, `a 4xx, got ${err.status}`);
        if (err.status !== 400) note(`deleting a non-empty org answers ${err.status}`);
        assert.equal((await cf.organizations.get(p.id)).id, p.id);
        assert.equal((await cf.organizations.get(k.id)).parent?.id, p.id);
      });

      it('deleting a missing organization is a 404 NotFoundError', async () => {
        await rejects(cf.organizations.delete('a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8'), NotFoundError, 404,
                      'delete missing');
      });
    });

    describe('error envelopes', () => {
      it('get() of a missing id is a 404 NotFoundError with a Cloudflare error', async () => {
        // The published example id: 32 characters and not hex.
        const err = await rejects(cf.organizations.get('a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8'), NotFoundError, 404,
                                  'get missing');
        if (err.errors[0].code === 7003) {
          disagreement('a well-formed non-hex id (the published example) gets 7003 "Could not route" ' +
                       'instead of "no such organization": the emulator validates ids as hex; the ' +
                       'contract says ids are opaque and never hex');
        }
        assert.ok('result' in err.error, 'the error envelope carries result');
      });

      it('create() without a name is a 400 BadRequestError pointing at /name', async () => {
        const err = await rejects(cf.organizations.create({}), BadRequestError, 400, 'create {}');
        const pointers = err.errors.map((e) => e.source?.pointer).filter(Boolean);
        if (pointers.length) assert.ok(pointers.includes('/name'), `pointer ${pointers}`);
      });

      it('create() with a non-string or empty name is a 400 BadRequestError', async () => {
        await rejects(cf.organizations.create({ name: 42 }), BadRequestError, 400, 'create name 42');
        await rejects(cf.organizations.create({ name: '' }), BadRequestError, 400, 'create name ""');
      });

      it('create() with a bad profile is a 400 BadRequestError', async () => {
        await rejects(cf.organizations.create({ name: `Bad profile ${uniq}`, profile: { business_name: 'x' } }),
                      BadRequestError, 400, 'create partial profile');
        await rejects(cf.organizations.create({ name: `Bad profile ${uniq}`, profile: 'x' }),
                      BadRequestError, 400, 'create profile string');
      });

      it('create() under a missing parent is a 4xx', async () => {
        const err = await rejects(cf.organizations.create({ name: `Orphan ${uniq}`,
                                                            parent: { id: 'a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8' } }),
                                  undefined, [400, 404], 'create under missing parent');
        note(`create under a missing parent answers ${err.status} (code ${err.errors[0].code})`);
      });

      it('a bad page_size or page_token is a 400 BadRequestError', async () => {
        await rejects(cf.organizations.list({ page_size: 0 }), BadRequestError, 400, 'page_size 0');
        await rejects(cf.organizations.list({ page_token: 'not-a-token' }), BadRequestError, 400, 'bad token');
      });

      it('a wrong key is a 401/403 with an auth error', async () => {
        const bad = keyClient(emu, { apiKey: 'wrong' });
        const err = await rejects(bad.organizations.list(), undefined, [401, 403], 'wrong key');
        assert.ok(err instanceof AuthenticationError || err instanceof PermissionDeniedError);
        if (err.errors[0].code !== 10000) note(`auth failure code ${err.errors[0].code}`);
      });

      it('the SDK does not retry a 4xx', async () => {
        const retrying = keyClient(emu, { maxRetries: 2 });
        const t0 = Date.now();
        await rejects(retrying.organizations.get('a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8'), NotFoundError, 404, 'get');
        assert.ok(Date.now() - t0 < 400, 'answered at once');
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Cases that need their own emulator settings (run once).

if (suite !== 'main') describe('emulator settings of the published contract', () => {
  const running = [];
  const start = async (extra) => {
    const e = await startEmulator([...extra]);
    running.push(e);
    return e;
  };
  after(async () => { await Promise.all(running.map((e) => e.stop())); });

  it('--consistency-ms: a freshly created org answers 403 through the SDK, then works', needs('consistency-ms'), async () => {
    requireFlags('consistency-ms');
    const window = 800;
    const emu = await start(['--consistency-ms', String(window)]);
    const cf = keyClient(emu, { maxRetries: 2 });  // the SDK's default retries: it does not retry 403
    await cf.organizations.list({ page_size: 1 });  // the first fetch of a process is slow
    const fresh = await cf.organizations.create({ name: `Fresh ${uniq}` });
    const t0 = Date.now();  // the window ends at most `window` ms after this
    const err = await rejects(cf.organizations.create({ name: `Too soon ${uniq}`, parent: { id: fresh.id } }),
                              PermissionDeniedError, 403, 'child of a fresh org');
    note(`403 of the consistency window: code ${err.errors[0].code} "${err.errors[0].message}"`);
    await rejects(cf.organizations.organizationProfile.get(fresh.id), PermissionDeniedError, 403,
                  'profile of a fresh org');
    assert.ok(Date.now() - t0 < window, 'still inside the window (the machine was too slow to tell)');
    await sleep(window - (Date.now() - t0) + 150);
    const child = await cf.organizations.create({ name: `In time ${uniq}`, parent: { id: fresh.id } });
    assert.equal(child.parent?.id, fresh.id);
    const p = await cf.organizations.get(fresh.id);
    assert.equal(p.id, fresh.id);
  });

  it('--id-format published: 32-character non-hex ids work through the SDK', needs('id-format'), async () => {
    requireFlags('id-format');
    const emu = await start([...C0, '--id-format', 'published']);
    const cf = keyClient(emu);
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await cf.organizations.create({ name: `Id ${i} ${uniq}` })).id);
    for (const id of ids) {
      assert.match(id, /^[a-z0-9]{32}$/, `published-shaped id ${id}`);
      assert.equal((await cf.organizations.get(id)).id, id);
    }
    assert.ok(ids.some((id) => /[g-z]/.test(id)), 'some id uses letters beyond hex');
    await rejects(cf.organizations.get('a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8'), NotFoundError, 404, 'unknown');
  });

  it('--profile-missing 404 and null', needs('profile-missing'), async () => {
    requireFlags('profile-missing');
    const e404 = keyClient(await start([...C0, '--profile-missing', '404']));
    const o1 = await e404.organizations.create({ name: `No profile ${uniq}` });
    await rejects(e404.organizations.organizationProfile.get(o1.id), NotFoundError, 404, 'missing profile');
    const eNull = keyClient(await start([...C0, '--profile-missing', 'null']));
    const o2 = await eNull.organizations.create({ name: `No profile ${uniq}` });
    assert.equal(await eNull.organizations.organizationProfile.get(o2.id), null);
  });

  it('--read-profile omit and include', needs('read-profile'), async () => {
    requireFlags('read-profile');
    const omit = keyClient(await start([...C0, '--read-profile', 'omit']));
    const o1 = await omit.organizations.create({ name: `P ${uniq}`, profile: profileOf('omit') });
    const g1 = await omit.organizations.get(o1.id);
    checkOrganization(g1);
    assert.equal(g1.profile, undefined, 'GET leaves profile out');
    assert.deepEqual(await omit.organizations.organizationProfile.get(o1.id), profileOf('omit'));
    const incl = keyClient(await start([...C0, '--read-profile', 'include']));
    const o2 = await incl.organizations.create({ name: `P ${uniq}`, profile: profileOf('incl') });
    assert.deepEqual((await incl.organizations.get(o2.id)).profile, profileOf('incl'));
  });

  it('--put-extra-fields reject and ignore', needs('put-extra-fields'), async () => {
    requireFlags('put-extra-fields');
    for (const how of ['reject', 'ignore']) {
      const cf = keyClient(await start([...C0, '--put-extra-fields', how]));
      const p = await cf.organizations.create({ name: `P ${uniq}` });
      const q = await cf.organizations.create({ name: `Q ${uniq}` });
      const o = await cf.organizations.create({ name: `O ${uniq}`, parent: { id: p.id }, profile: profileOf('x') });
      const call = cf.organizations.update(o.id, { name: `O2 ${uniq}`, parent: { id: q.id } });
      if (how === 'reject') await rejects(call, BadRequestError, 400, 'PUT with parent, reject');
      else assert.equal((await call).parent?.id, p.id, 'parent ignored');
      const got = await cf.organizations.get(o.id);
      assert.equal(got.parent?.id, p.id);
      assert.equal(got.name, how === 'reject' ? `O ${uniq}` : `O2 ${uniq}`);
      assert.deepEqual(await cf.organizations.organizationProfile.get(o.id), profileOf('x'));
    }
  });

  it('--meta-flags flags: the older meta.flags name reaches the SDK as an untyped extra key', needs('meta-flags'), async () => {
    requireFlags('meta-flags');
    const cf = keyClient(await start([...C0, '--meta-flags', 'flags']));
    const o = await cf.organizations.create({ name: `Flags ${uniq}` });
    checkOrganization(o);
    assert.equal(typeof o.meta.flags, 'object');
    assert.equal(o.meta.tenant_flags, undefined);
    assert.equal((await cf.organizations.get(o.id)).meta.flags.sub_org_creation, o.meta.flags.sub_org_creation);
  });

  it('--pagination cursor: the fallback reading, result_info.cursor, works through page_token', async () => {
    const cf = keyClient(await start([...C0, '--pagination', 'cursor']));
    const p = await cf.organizations.create({ name: `Cursor ${uniq}` });
    const kids = [];
    for (let i = 0; i < 7; i++) kids.push((await cf.organizations.create({ name: `c${i}`, parent: { id: p.id } })).id);
    const seen = [];
    let cursor;
    for (let n = 0; n < 10; n++) {
      const page = await cf.organizations.list({ parent: { id: p.id }, page_size: 3, ...(cursor ? { page_token: cursor } : {}) });
      seen.push(...page.result.map((o) => o.id));
      cursor = page.body.result_info.cursor;
      assert.equal(page.body.result_info.next_page_token, undefined, 'cursor mode has no next_page_token');
      if (!cursor) break;
    }
    assert.deepEqual(seen, kids);
  });

  it('--auth strict: a token may list but not create', needs('auth'), async () => {
    requireFlags('auth');
    const emu = await start([...C0, '--auth', 'strict']);
    const key = keyClient(emu);
    const org = await key.organizations.create({ name: `Strict ${uniq}` });
    const tok = tokenClient(emu);
    assert.ok((await tok.organizations.list({ id: [org.id] })).result.length === 1, 'a token lists');
    await rejects(tok.organizations.create({ name: `Token ${uniq}` }), PermissionDeniedError, 403,
                  'create with a token');
    await rejects(tok.organizations.get(org.id), PermissionDeniedError, 403, 'get with a token');
  });

  it('--rate-limit: the SDK raises RateLimitError at once without retries, and waits Retry-After with them',
     needs('rate-limit'), async () => {
    requireFlags('rate-limit');
    const emu = await start([...C0, '--rate-limit', '3/1']);
    const cf = keyClient(emu);
    for (let i = 0; i < 3; i++) await cf.organizations.list();
    const err = await rejects(cf.organizations.list(), RateLimitError, 429, '4th request in a second');
    assert.ok([971, 10100].includes(err.errors[0].code), `429 code ${err.errors[0].code}`);
    const retryAfter = err.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^\d+$/, 'Retry-After in whole seconds');
    if (!err.headers.get('ratelimit')) note('responses carry no Ratelimit header (contract: every response since 2025-09)');
    const t0 = Date.now();
    const page = await keyClient(emu, { maxRetries: 2 }).organizations.list();
    assert.ok(Array.isArray(page.result));
    note(`the SDK's own retry got past the 429 after ${Date.now() - t0} ms (Retry-After ${retryAfter})`);
  });
});

after(() => {
  if (findings.size === 0) return;
  console.log('# ---- findings ----');
  for (const [text, kind] of findings) console.log(`# ${kind}: ${text}`);
});
