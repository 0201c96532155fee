// SPDX-License-Identifier: MIT
// s3rver.js: a loopback S3 server for the tests: s3rver (from the npm
// registry, installed by scripts/install-deps.sh) with one access key of
// the test's choosing and AWS Signature Version 4 checked in full.
//
// usage: node s3rver.js --dir DIR --key ID --secret SECRET
//        [--token TOKEN] [--bucket NAME]... [--max-seconds N]
//        [--fail-first N] [--clock-offset SECONDS] [--log FILE]
//        [--read-only-key ID:SECRET] [--refuse-part N]
//
// s3rver 3.x checks only that a SigV4 request names a known access key,
// carries x-amz-content-sha256 and is within 15 minutes: it never
// verifies the signature, so a wrong secret would pass. This launcher
// verifies it as S3 does (canonical request, string to sign, signing
// key; every x-amz-* header must be signed) and answers
// SignatureDoesNotMatch otherwise. With --token, requests must carry
// that x-amz-security-token (else InvalidToken). --fail-first N answers
// the first N requests with 503 SlowDown. --clock-offset runs the
// server's clock that far ahead (negative: behind): its Date header and
// its 15-minute check of x-amz-date (RequestTimeTooSkewed) follow it.
// --read-only-key adds a key pair that may read and list but whose
// writes are refused with AccessDenied. --refuse-part N refuses every
// upload of part N of a multipart upload (AccessDenied). --log FILE appends
// "<METHOD> <url>" for each request. The first line on stdout is
// "port=NNNNN"; it binds 127.0.0.1 only and exits on SIGTERM or after
// --max-seconds (default 300).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const S3Error = require('s3rver/lib/models/error');

const opt = { buckets: [], maxSeconds: 300, failFirst: 0, offset: 0 };
const secrets = new Map();
const readOnly = new Set();
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i];
  const v = process.argv[i + 1];
  if (v === undefined) {
    console.error(`s3rver.js: ${k} needs a value`);
    process.exit(2);
  }
  if (k === '--dir') opt.dir = v;
  else if (k === '--key') opt.key = v;
  else if (k === '--secret') opt.secret = v;
  else if (k === '--token') opt.token = v;
  else if (k === '--bucket') opt.buckets.push(v);
  else if (k === '--max-seconds') opt.maxSeconds = Number(v);
  else if (k === '--fail-first') opt.failFirst = Number(v);
  else if (k === '--clock-offset') opt.offset = Number(v);
  else if (k === '--log') opt.log = v;
  else if (k === '--refuse-part') opt.refusePart = v;
  else if (k === '--read-only-key') {
    const colon = v.indexOf(':');
    secrets.set(v.slice(0, colon), v.slice(colon + 1));
    readOnly.add(v.slice(0, colon));
  }
  else {
    console.error(`s3rver.js: unknown option ${k}`);
    process.exit(2);
  }
}
if (!opt.dir || !opt.key || !opt.secret) {
  console.error('usage: node s3rver.js --dir DIR --key ID --secret S');
  process.exit(2);
}

// only the test's key pair is known
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
secrets.set(opt.key, opt.secret);
for (const [id, secret] of secrets)
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(id, secret);

// RFC 3986 unreserved characters stay, everything else is %XX
function uriEncode(s) {
  return Buffer.from(s, 'utf8')
    .toString('binary')
    .replace(/[^A-Za-z0-9\-_.~]/g, c =>
      '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

function decode(s) {
  return decodeURIComponent(s.replace(/\+/g, '%20'));
}

function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256hex(data) {
  return crypto.createHash('sha256').update(data, 'utf8').digest('hex');
}

function fail(code, message) {
  throw new S3Error(code, message);
}

// AWS Signature Version 4 for a request signed in the Authorization header
function verify(req) {
  const auth = req.headers.authorization;
  if (!auth || !auth.startsWith('AWS4-HMAC-SHA256 ')) return;
  const parts = {};
  for (const p of auth.slice(17).split(',')) {
    const eq = p.indexOf('=');
    parts[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  const cred = (parts.Credential || '').split('/');
  if (cred.length !== 5 || cred[3] !== 's3' || cred[4] !== 'aws4_request')
    fail('AuthorizationHeaderMalformed', 'malformed Credential');
  const signed = (parts.SignedHeaders || '').split(';');
  const date = req.headers['x-amz-date'];
  if (!date || date.slice(0, 8) !== cred[1])
    fail('AuthorizationHeaderMalformed', 'x-amz-date and scope differ');
  for (const h of Object.keys(req.headers))
    if (h.startsWith('x-amz-') && !signed.includes(h))
      fail('AccessDenied', `header ${h} is not signed`);
  if (!signed.includes('host'))
    fail('AccessDenied', 'the host header is not signed');

  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const uri = path.split('/').map(s => uriEncode(decode(s))).join('/');
  const query = q < 0 ? [] : req.url.slice(q + 1).split('&')
    .filter(s => s.length)
    .map(s => {
      const eq = s.indexOf('=');
      const k = eq < 0 ? s : s.slice(0, eq);
      const v = eq < 0 ? '' : s.slice(eq + 1);
      return [uriEncode(decode(k)), uriEncode(decode(v))];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 :
      a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
  const headers = signed.map(h => {
    const v = req.headers[h];
    if (v === undefined) fail('AccessDenied', `signed header ${h} missing`);
    return `${h}:${String(v).trim().replace(/\s+/g, ' ')}\n`;
  }).join('');
  const canonical = [req.method, uri, query, headers, signed.join(';'),
    req.headers['x-amz-content-sha256']].join('\n');
  const scope = cred.slice(1).join('/');
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256hex(canonical)]
    .join('\n');
  const secret = secrets.get(cred[0]);
  if (secret === undefined) return;  // s3rver answers InvalidAccessKeyId
  let k = hmac('AWS4' + secret, cred[1]);
  k = hmac(k, cred[2]);
  k = hmac(k, cred[3]);
  k = hmac(k, cred[4]);
  const want = crypto.createHmac('sha256', k).update(toSign, 'utf8')
    .digest('hex');
  if (want !== parts.Signature)
    fail('SignatureDoesNotMatch', 'The request signature we calculated ' +
      'does not match the signature you provided. Check your key and ' +
      'signing method.');
  if (readOnly.has(cred[0]) && req.method !== 'GET' && req.method !== 'HEAD')
    fail('AccessDenied', 'Access Denied');
  if (opt.token !== undefined &&
      req.headers['x-amz-security-token'] !== opt.token)
    fail('InvalidToken', 'The provided token is malformed or otherwise ' +
      'invalid.');
}

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: opt.dir,
  vhostBuckets: false,
  configureBuckets: opt.buckets.map(name => ({ name })),
});

let seen = 0;
server.middleware.unshift(async (ctx, next) => {
  if (opt.log)
    fs.appendFileSync(opt.log, `${ctx.method} ${ctx.req.url}\n`);
  if (seen++ < opt.failFirst)
    fail('SlowDown', 'Please reduce your request rate.');
  if (opt.offset) {
    const now = Date.now() + opt.offset * 1000;
    const d = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/
      .exec(ctx.get('x-amz-date') || '');
    ctx.set('Date', new Date(now).toUTCString());
    if (d && Math.abs(now - Date.UTC(d[1], d[2] - 1, d[3], d[4], d[5],
        d[6])) > 900000)
      fail('RequestTimeTooSkewed', 'The difference between the request ' +
        'time and the current time is too large.');
  }
  verify(ctx.req);
  if (opt.refusePart !== undefined && ctx.method === 'PUT' &&
      ctx.query.partNumber === opt.refusePart)
    fail('AccessDenied', 'Access Denied');
  return next();
});
server.run().then(addr => {
  process.stdout.write(`port=${addr.port}\n`);
}, err => {
  console.error(`s3rver.js: ${err.message}`);
  process.exit(1);
});

function stop() {
  server.close().then(() => process.exit(0), () => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, opt.maxSeconds * 1000).unref();
