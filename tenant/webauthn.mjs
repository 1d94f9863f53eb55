// WebAuthn (W3C Web Authentication, Level 2) relying-party checks for the local tenant's passkey
// emulation (tenant/passkey.mjs): enough of CBOR (RFC 8949) to read an attestation object and a
// COSE key (RFC 9053), the authenticator data layout (WebAuthn §6.1), and the two verifications a
// relying party makes: of a new credential at registration (§7.1) and of an assertion at login
// (§7.2). Only ES256 (COSE alg -7, P-256) keys; attestation statements are not checked (the
// tenant asks for `attestation: 'none'`, as Auth0's passkeys do).
import crypto from 'node:crypto';

/** The decoded value of the CBOR item at `offset` of `buf`, and the offset after it. */
export function cborDecode(buf, offset = 0) {
  const initial = buf[offset];
  if (initial === undefined) throw new TypeError('CBOR: truncated');
  const major = initial >> 5;
  const info = initial & 31;
  let at = offset + 1;
  let length;
  if (info < 24) length = info;
  else if (info === 24) { length = buf.readUInt8(at); at += 1; }
  else if (info === 25) { length = buf.readUInt16BE(at); at += 2; }
  else if (info === 26) { length = buf.readUInt32BE(at); at += 4; }
  else if (info === 27) { length = Number(buf.readBigUInt64BE(at)); at += 8; }
  else throw new TypeError('CBOR: indefinite lengths are not supported');
  switch (major) {
    case 0: return { value: length, end: at };
    case 1: return { value: -1 - length, end: at };
    case 2:
    case 3: {
      if (at + length > buf.length) throw new TypeError('CBOR: truncated');
      const bytes = buf.subarray(at, at + length);
      return { value: major === 2 ? Buffer.from(bytes) : bytes.toString('utf8'), end: at + length };
    }
    case 4: {
      const list = [];
      for (let i = 0; i < length; i++) { const item = cborDecode(buf, at); list.push(item.value); at = item.end; }
      return { value: list, end: at };
    }
    case 5: {
      const map = new Map();
      for (let i = 0; i < length; i++) {
        const k = cborDecode(buf, at);
        const v = cborDecode(buf, k.end);
        map.set(k.value, v.value);
        at = v.end;
      }
      return { value: map, end: at };
    }
    case 7: {
      const simple = { 20: false, 21: true, 22: null };
      if (info in simple) return { value: simple[info], end: at };
      throw new TypeError('CBOR: unsupported simple value');
    }
    default: throw new TypeError(`CBOR: unsupported major type ${major}`);
  }
}

/** Authenticator-data flags (WebAuthn §6.1). */
export const FLAGS = { userPresent: 0x01, userVerified: 0x04, attestedCredential: 0x40 };

/**
 * The parts of authenticator data: `rpIdHash`, `flags`, `signCount`, and with attested
 * credential data its `credentialId` and COSE `publicKey` (a Map).
 */
export function parseAuthData(authData) {
  if (authData.length < 37) throw new TypeError('authenticator data is too short');
  const out = { rpIdHash: authData.subarray(0, 32), flags: authData[32], signCount: authData.readUInt32BE(33) };
  if (out.flags & FLAGS.attestedCredential) {
    const idLength = authData.readUInt16BE(53);
    out.credentialId = Buffer.from(authData.subarray(55, 55 + idLength));
    out.publicKey = cborDecode(authData, 55 + idLength).value;
  }
  return out;
}

/** A Node public key from an ES256 COSE key (kty 2, alg -7, crv 1), or an Error saying why not. */
export function coseToPublicKey(cose) {
  if (!(cose instanceof Map) || cose.get(1) !== 2 || cose.get(3) !== -7 || cose.get(-1) !== 1) throw new TypeError('only ES256 (P-256) passkeys are supported');
  const x = cose.get(-2);
  const y = cose.get(-3);
  return crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url') }, format: 'jwk' });
}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest();
const b64 = (text) => Buffer.from(String(text ?? ''), 'base64url');

/**
 * The checks both ceremonies share: `clientDataJSON` is of `type`, for `challenge` and from
 * `origin` (§7.1 steps 7–9, §7.2 steps 11–13); the authenticator data is for `rpId`, with the
 * user present and verified. Returns the parsed authenticator data.
 */
function checkCommon({ clientDataJSON, authData, type, challenge, origin, rpId }) {
  let clientData;
  try { clientData = JSON.parse(clientDataJSON.toString('utf8')); } catch { throw new TypeError('clientDataJSON is not JSON'); }
  if (clientData.type !== type) throw new TypeError(`clientDataJSON.type is not ${type}`);
  if (clientData.challenge !== challenge) throw new TypeError('the challenge does not match');
  if (clientData.origin !== origin) throw new TypeError('the origin does not match');
  const parsed = parseAuthData(authData);
  if (!parsed.rpIdHash.equals(sha256(rpId))) throw new TypeError('the RP ID hash does not match');
  if (!(parsed.flags & FLAGS.userPresent) || !(parsed.flags & FLAGS.userVerified)) throw new TypeError('the user was not present and verified');
  return parsed;
}

/**
 * Verifies a registration (`navigator.credentials.create`) serialised as auth0-spa-js sends it
 * (`authn_response`: base64url members). Returns `{ credentialId, publicKey, signCount }`.
 */
export function verifyRegistration(authn, { challenge, origin, rpId }) {
  if (!authn || authn.type !== 'public-key' || !authn.response || authn.id !== authn.rawId) throw new TypeError('not a public-key credential');
  const attestation = cborDecode(b64(authn.response.attestationObject)).value;
  if (!(attestation instanceof Map) || !Buffer.isBuffer(attestation.get('authData'))) throw new TypeError('bad attestation object');
  const parsed = checkCommon({ clientDataJSON: b64(authn.response.clientDataJSON), authData: attestation.get('authData'), type: 'webauthn.create', challenge, origin, rpId });
  if (!parsed.credentialId || !parsed.credentialId.equals(b64(authn.rawId))) throw new TypeError('the credential id does not match the authenticator data');
  return { credentialId: authn.rawId, publicKey: coseToPublicKey(parsed.publicKey), signCount: parsed.signCount };
}

/**
 * Verifies an assertion (`navigator.credentials.get`) against the stored `credential` (`{
 * publicKey, signCount, userHandle }`): the common checks, the signature over authenticator data
 * and the hash of clientDataJSON, a sign count that moved forward (when the authenticator keeps
 * one) and the user handle. Returns the new sign count.
 */
export function verifyAssertion(authn, credential, { challenge, origin, rpId }) {
  if (!authn || authn.type !== 'public-key' || !authn.response || authn.id !== authn.rawId) throw new TypeError('not a public-key credential');
  const clientDataJSON = b64(authn.response.clientDataJSON);
  const authData = b64(authn.response.authenticatorData);
  const parsed = checkCommon({ clientDataJSON, authData, type: 'webauthn.get', challenge, origin, rpId });
  const signed = Buffer.concat([authData, sha256(clientDataJSON)]);
  if (!crypto.verify('sha256', signed, credential.publicKey, b64(authn.response.signature))) throw new TypeError('the signature does not verify');
  if ((parsed.signCount || credential.signCount) && parsed.signCount <= credential.signCount) throw new TypeError('the sign count did not increase (cloned authenticator?)');
  if (authn.response.userHandle !== undefined && authn.response.userHandle !== credential.userHandle) throw new TypeError('the user handle does not match');
  return parsed.signCount;
}
