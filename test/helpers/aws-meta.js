// SPDX-License-Identifier: MIT
// aws-meta.js: a loopback stand-in for the AWS services that hand out
// credentials, speaking their documented protocols, for the credential
// tests. One server answers all of them:
//
//   STS (POST /, form-encoded Query API, Version 2011-06-15):
//     AssumeRole, whose AWS Signature Version 4 (service "sts") is
//     verified with the --key pairs, and with --mfa SERIAL:CODE whose
//     SerialNumber must be SERIAL and TokenCode CODE (a RoleArn holding
//     "mfa" needs them); AssumeRoleWithWebIdentity, unsigned,
//     whose WebIdentityToken must be --web-token. Answers are STS XML;
//     refusals are <ErrorResponse> (AccessDenied for a RoleArn holding
//     "denied", SignatureDoesNotMatch, InvalidClientTokenId,
//     InvalidIdentityToken) with status 403.
//   IMDSv2: PUT /latest/api/token needs X-aws-ec2-metadata-token-ttl-
//     seconds; GET /latest/meta-data/iam/security-credentials/[ROLE]
//     needs the token (else 401) and names --role; GET
//     /latest/meta-data/placement/region needs it too and answers
//     --region (404 without).
//   ECS: GET /ecs/... answers the container credentials JSON; with
//     --ecs-token the Authorization header must be it (else 401).
//   SSO: GET /federation/credentials?account_id=&role_name= needs the
//     header x-amz-sso_bearer_token equal to --sso-token (else 401
//     UnauthorizedException) and answers roleCredentials, expiration
//     in milliseconds.
//
// usage: node aws-meta.js --give ID:SECRET:TOKEN [--key ID:SECRET]...
//        [--ttl SECONDS] [--web-token T] [--ecs-token T] [--sso-token T]
//        [--role NAME] [--region NAME] [--mfa SERIAL:CODE] [--log FILE]
//        [--max-seconds N]
//
// Every answer hands out the --give credentials, expiring --ttl seconds
// (default 3600) after the request. --log appends "<METHOD> <path>
// <Action>" per request (never a secret; of an MFA code only whether it
// was right). The first line on stdout is
// "port=NNNNN"; it binds 127.0.0.1 only and exits on SIGTERM or after
// --max-seconds (default 300).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');

const opt = { keys: new Map(), ttl: 3600, maxSeconds: 300, role: 'mmp-role' };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i];
  const v = process.argv[i + 1];
  if (v === undefined) {
    console.error(`aws-meta.js: ${k} needs a value`);
    process.exit(2);
  }
  if (k === '--give') {
    const [id, secret, token] = v.split(':');
    opt.give = { id, secret, token };
  } else if (k === '--key') {
    const colon = v.indexOf(':');
    opt.keys.set(v.slice(0, colon), v.slice(colon + 1));
  } else if (k === '--ttl') opt.ttl = Number(v);
  else if (k === '--web-token') opt.webToken = v;
  else if (k === '--ecs-token') opt.ecsToken = v;
  else if (k === '--sso-token') opt.ssoToken = v;
  else if (k === '--role') opt.role = v;
  else if (k === '--region') opt.region = v;
  else if (k === '--mfa') {
    const colon = v.lastIndexOf(':');
    opt.mfa = { serial: v.slice(0, colon), code: v.slice(colon + 1) };
  }
  else if (k === '--log') opt.log = v;
  else if (k === '--max-seconds') opt.maxSeconds = Number(v);
  else {
    console.error(`aws-meta.js: unknown option ${k}`);
    process.exit(2);
  }
}
if (!opt.give || !opt.give.token) {
  console.error('usage: node aws-meta.js --give ID:SECRET:TOKEN ...');
  process.exit(2);
}

function uriEncode(s) {
  return Buffer.from(s, 'utf8').toString('binary')
    .replace(/[^A-Za-z0-9\-_.~]/g, c =>
      '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256hex(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function iso(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function xmlEscape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

class Refusal extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// AWS Signature Version 4 of an STS request (body signed by its hash)
function verifySts(req, body) {
  const auth = req.headers.authorization;
  if (!auth || !auth.startsWith('AWS4-HMAC-SHA256 '))
    throw new Refusal(403, 'MissingAuthenticationToken',
      'Request is missing Authentication Token');
  const parts = {};
  for (const p of auth.slice(17).split(',')) {
    const eq = p.indexOf('=');
    parts[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  const cred = (parts.Credential || '').split('/');
  if (cred.length !== 5 || cred[3] !== 'sts' || cred[4] !== 'aws4_request')
    throw new Refusal(400, 'IncompleteSignature', 'malformed Credential');
  const secret = opt.keys.get(cred[0]);
  if (secret === undefined)
    throw new Refusal(403, 'InvalidClientTokenId',
      'The security token included in the request is invalid.');
  const signed = (parts.SignedHeaders || '').split(';');
  const date = req.headers['x-amz-date'];
  if (!date || date.slice(0, 8) !== cred[1])
    throw new Refusal(400, 'IncompleteSignature', 'date and scope differ');
  for (const h of Object.keys(req.headers))
    if (h.startsWith('x-amz-') && !signed.includes(h))
      throw new Refusal(403, 'SignatureDoesNotMatch', `${h} is not signed`);
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const headers = signed.map(h => {
    const v = req.headers[h];
    if (v === undefined)
      throw new Refusal(403, 'SignatureDoesNotMatch', `${h} missing`);
    return `${h}:${String(v).trim().replace(/\s+/g, ' ')}\n`;
  }).join('');
  const canonical = [req.method, path.split('/').map(s =>
    uriEncode(decodeURIComponent(s))).join('/'), '', headers,
  signed.join(';'), sha256hex(body)].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', date, cred.slice(1).join('/'),
    sha256hex(canonical)].join('\n');
  let k = hmac('AWS4' + secret, cred[1]);
  k = hmac(k, cred[2]);
  k = hmac(k, cred[3]);
  k = hmac(k, cred[4]);
  if (crypto.createHmac('sha256', k).update(toSign, 'utf8').digest('hex') !==
      parts.Signature)
    throw new Refusal(403, 'SignatureDoesNotMatch', 'The request signature ' +
      'we calculated does not match the signature you provided.');
  return cred[0];
}

function credentialsXml(action, f) {
  const g = opt.give;
  return `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <${action}Result>
    <Credentials>
      <AccessKeyId>${xmlEscape(g.id)}</AccessKeyId>
      <SecretAccessKey>${xmlEscape(g.secret)}</SecretAccessKey>
      <SessionToken>${xmlEscape(g.token)}</SessionToken>
      <Expiration>${iso(Date.now() + opt.ttl * 1000)}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>${xmlEscape(f.get('RoleArn'))}/${xmlEscape(f.get('RoleSessionName'))}</Arn>
      <AssumedRoleId>AROAMMPTEST:${xmlEscape(f.get('RoleSessionName'))}</AssumedRoleId>
    </AssumedRoleUser>
  </${action}Result>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</${action}Response>
`;
}

function sts(req, body) {
  const f = new URLSearchParams(body);
  const action = f.get('Action');
  if (f.get('Version') !== '2011-06-15')
    throw new Refusal(400, 'InvalidAction', 'Version must be 2011-06-15');
  if (!f.get('RoleArn') || !f.get('RoleSessionName'))
    throw new Refusal(400, 'MissingParameter',
      'RoleArn and RoleSessionName are required');
  if (action === 'AssumeRole') {
    const who = verifySts(req, body);
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded')
      throw new Refusal(400, 'InvalidParameterValue', 'form encoding');
    const serial = f.get('SerialNumber');
    const code = f.get('TokenCode');
    logLine(`AssumeRole by ${who} RoleArn=${f.get('RoleArn')}` +
      (f.get('ExternalId') ? ` ExternalId=${f.get('ExternalId')}` : '') +
      (f.get('DurationSeconds') ?
        ` DurationSeconds=${f.get('DurationSeconds')}` : '') +
      ` RoleSessionName=${f.get('RoleSessionName')}` +
      (serial !== null ? ` SerialNumber=${serial}` : '') +
      (code !== null ? ` TokenCode=${opt.mfa && code === opt.mfa.code ?
        'right' : 'wrong'}` : ''));
    if ((serial === null) !== (code === null))
      throw new Refusal(400, 'ValidationError',
        'SerialNumber and TokenCode go together');
    if (serial !== null && (!opt.mfa || serial !== opt.mfa.serial ||
        !/^\d{6}$/.test(code) || code !== opt.mfa.code))
      throw new Refusal(403, 'AccessDenied', 'MultiFactorAuthentication ' +
        'failed with invalid MFA one time pass code.');
    if (serial === null && f.get('RoleArn').includes('mfa'))
      throw new Refusal(403, 'AccessDenied', `User: arn:aws:iam::` +
        `123456789012:user/mmp is not authorized to perform: ` +
        `sts:AssumeRole on resource: ${f.get('RoleArn')}`);
  } else if (action === 'AssumeRoleWithWebIdentity') {
    if (req.headers.authorization)
      throw new Refusal(400, 'InvalidParameterValue', 'must not be signed');
    if (f.get('WebIdentityToken') !== opt.webToken)
      throw new Refusal(400, 'InvalidIdentityToken',
        "Couldn't retrieve verification key from your identity provider");
    logLine(`AssumeRoleWithWebIdentity RoleArn=${f.get('RoleArn')}` +
      ` RoleSessionName=${f.get('RoleSessionName')}`);
  } else {
    throw new Refusal(400, 'InvalidAction', `unknown action ${action}`);
  }
  if (f.get('RoleArn').includes('denied'))
    throw new Refusal(403, 'AccessDenied', `User: arn:aws:iam::123456789012:` +
      `user/mmp is not authorized to perform: sts:${action} on resource: ` +
      f.get('RoleArn'));
  return [200, 'text/xml', credentialsXml(action, f)];
}

const tokens = new Set();

function metaJson(extra) {
  const g = opt.give;
  return JSON.stringify(Object.assign(extra, {
    AccessKeyId: g.id,
    SecretAccessKey: g.secret,
    Token: g.token,
    Expiration: iso(Date.now() + opt.ttl * 1000),
  }));
}

function imds(req, path) {
  if (path === '/latest/api/token') {
    if (req.method !== 'PUT') return [405, 'text/plain', ''];
    const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
    if (!(ttl >= 1 && ttl <= 21600)) return [400, 'text/plain', ''];
    const t = crypto.randomBytes(24).toString('base64');
    tokens.add(t);
    return [200, 'text/plain', t];
  }
  if (!tokens.has(req.headers['x-aws-ec2-metadata-token']))
    return [401, 'text/plain', ''];
  if (path === '/latest/meta-data/placement/region')
    return opt.region ? [200, 'text/plain', opt.region] :
      [404, 'text/plain', ''];
  const base = '/latest/meta-data/iam/security-credentials/';
  if (path === base) return [200, 'text/plain', opt.role];
  if (path === base + opt.role)
    return [200, 'text/plain', metaJson({
      Code: 'Success', LastUpdated: iso(Date.now()), Type: 'AWS-HMAC' })];
  return [404, 'text/plain', ''];
}

function ecs(req) {
  if (opt.ecsToken !== undefined && req.headers.authorization !== opt.ecsToken)
    return [401, 'application/json', '{"message":"unauthorized"}'];
  return [200, 'application/json',
    metaJson({ RoleArn: 'arn:aws:iam::123456789012:role/mmp-task' })];
}

function sso(req, query) {
  const q = new URLSearchParams(query);
  if (req.headers['x-amz-sso_bearer_token'] !== opt.ssoToken)
    return [401, 'application/json',
      '{"message":"Session token not found or invalid"}'];
  if (!/^\d{12}$/.test(q.get('account_id') || '') || !q.get('role_name'))
    return [400, 'application/json', '{"message":"invalid request"}'];
  const g = opt.give;
  return [200, 'application/json', JSON.stringify({ roleCredentials: {
    accessKeyId: g.id, secretAccessKey: g.secret, sessionToken: g.token,
    expiration: Date.now() + opt.ttl * 1000 } })];
}

function logLine(s) {
  if (opt.log) fs.appendFileSync(opt.log, s + '\n');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', c => {
    size += c.length;
    if (size <= 65536) chunks.push(c);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    let out;
    logLine(`${req.method} ${path}`);
    try {
      if (req.method === 'POST' && path === '/') out = sts(req, body);
      else if (path.startsWith('/latest/')) out = imds(req, path);
      else if (path.startsWith('/ecs/') && req.method === 'GET') out = ecs(req);
      else if (path === '/federation/credentials' && req.method === 'GET')
        out = sso(req, q < 0 ? '' : req.url.slice(q + 1));
      else out = [404, 'text/plain', 'not found'];
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      logLine(`refused ${e.code}`);
      out = [e.status, 'text/xml', `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>${e.code}</Code>
    <Message>${xmlEscape(e.message)}</Message>
  </Error>
  <RequestId>4f5e3a7c-0000-4000-8000-000000000000</RequestId>
</ErrorResponse>
`];
    }
    res.writeHead(out[0], { 'Content-Type': out[1] });
    res.end(out[2]);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port=${server.address().port}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, opt.maxSeconds * 1000).unref();
