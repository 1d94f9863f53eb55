// node --test tenant/ : the resource server's DPoP proof check (tenant/resource.mjs), as a table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { checkProof } from './resource.mjs';

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = publicKey.export({ format: 'jwk' });
const jkt = crypto.createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
const token = 'the-access-token';
const ath = crypto.createHash('sha256').update(token).digest('base64url');

function proof(claims, header = {}, key = privateKey) {
  const input = `${b64url({ typ: 'dpop+jwt', alg: 'ES256', jwk, ...header })}.${b64url({ jti: 'j1', iat: 1, htm: 'GET', htu: 'http://api.test/x', ath, ...claims })}`;
  const sig = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

test('checkProof accepts a proof for this request, token, key and nonce, and names what is wrong otherwise', () => {
  const req = { method: 'GET', url: 'http://api.test/x?q=1#f', token, jkt, nonce: undefined };
  const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rows = [
    [proof({}), req, ''],
    [proof({ nonce: 'n1' }), { ...req, nonce: 'n1' }, ''],
    [proof({}), { ...req, nonce: 'n1' }, 'nonce'],
    [proof({ htm: 'POST' }), req, 'htm/htu'],
    [proof({ htu: 'http://api.test/y' }), req, 'htm/htu'],
    [proof({ ath: 'x' }), req, 'ath'],
    [proof({}), { ...req, jkt: 'another' }, 'not the key the token is bound to'],
    [proof({}, {}, other.privateKey), req, 'bad signature'],
    [proof({}, { typ: 'JWT' }), req, 'bad header'],
    [proof({ jti: undefined }), req, 'jti/iat'],
    ['a.b', req, 'not a compact JWS'],
  ];
  for (const [p, r, why] of rows) assert.equal(checkProof(p, r), why, JSON.stringify(r) + ' ' + why);
});
