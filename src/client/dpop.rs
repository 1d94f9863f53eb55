//! DPoP (RFC 9449) in the flows: a proof for each token request, the one retry with a server
//! nonce, `dpop_jkt` for `/authorize`, and the public helpers `getDpopNonce`, `setDpopNonce` and
//! `generateDpopProof` (docs/behaviour.md §2.10). What a proof says and when to retry is decided
//! in `core::dpop`; the key pair lives in IndexedDB and signs through WebCrypto in the driver.

use super::io::{finished, Io, Machine, Reply, Step};
use super::{Shared, AUTHORIZE_RANDOM_BYTES};
use crate::core::dpop::{access_token_hash, after_response, htu, jti, proof, signing_input, storage_key, AfterResponse, ProofClaims, PublicJwk, JTI_BYTES};
use crate::core::http::{HttpRequest, HttpResponse};
use crate::core::{Error, Result};

/// The proof header's name (RFC 9449 §4.1).
const DPOP_HEADER: &str = "DPoP";

/// The message auth0-spa-js throws when a DPoP method is called without `useDpop`.
pub const DPOP_DISABLED_MESSAGE: &str = "`useDpop` option must be enabled before using DPoP.";

/// Where a proof's `nonce` comes from.
enum NonceFrom {
    /// Read from IndexedDB under this key (the latest the server gave).
    Stored(String),
    /// Given by the caller (the retry's nonce, or `generateDpopProof({nonce})`).
    Given(Option<String>),
}

/// Makes one proof (RFC 9449 §4.2): the public key, the nonce, the clock and a `jti`, then the
/// signature over the header and claims.
struct Proof {
    key: String,
    htm: String,
    htu: String,
    ath: Option<String>,
    nonce: NonceFrom,
    jwk: Option<PublicJwk>,
    input: String,
    iat: u64,
    phase: u8,
}

impl Proof {
    fn new(c: &Shared, htm: &str, url: &str, nonce: NonceFrom, ath: Option<String>) -> Proof {
        let key = storage_key(c.client_id(), None);
        Proof { key, htm: htm.to_owned(), htu: htu(url).to_owned(), ath, nonce, jwk: None, input: String::new(), iat: 0, phase: 0 }
    }

    fn step(&mut self, mut reply: Reply) -> Step<String> {
        loop {
            self.phase += 1;
            match self.phase {
                1 => return Step::Io(Io::DpopKey(self.key.clone())),
                2 => {
                    match reply.text_result().and_then(|text| PublicJwk::parse(&text)) {
                        Ok(jwk) => self.jwk = Some(jwk),
                        Err(e) => return Step::Done(Err(e)),
                    }
                    if let NonceFrom::Stored(key) = &self.nonce {
                        return Step::Io(Io::DpopNonceGet(key.clone()));
                    }
                    reply = Reply::Start;
                }
                3 => {
                    if matches!(self.nonce, NonceFrom::Stored(_)) {
                        self.nonce = NonceFrom::Given(reply.text());
                    }
                    return Step::Io(Io::Now);
                }
                4 => {
                    self.iat = reply.time() / 1000;
                    return Step::Io(Io::Random(JTI_BYTES));
                }
                5 => {
                    let jti = match reply.bytes().and_then(|b| jti(&b)) {
                        Ok(j) => j,
                        Err(e) => return Step::Done(Err(e)),
                    };
                    let nonce = match &mut self.nonce {
                        NonceFrom::Given(n) => n.take(),
                        NonceFrom::Stored(_) => None,
                    };
                    let claims = ProofClaims { htm: std::mem::take(&mut self.htm), htu: std::mem::take(&mut self.htu), iat: self.iat, jti, nonce, ath: self.ath.take() };
                    let Some(jwk) = &self.jwk else {
                        return Step::Done(Err(finished()));
                    };
                    self.input = signing_input(jwk, &claims);
                    return Step::Io(Io::DpopSign(self.key.clone(), self.input.clone()));
                }
                6 => return Step::Done(reply.bytes().and_then(|signature| proof(&self.input, &signature))),
                _ => return Step::Done(Err(finished())),
            }
        }
    }
}

/// One token-endpoint request (authorization code, refresh, token exchange). Without DPoP it
/// sends the request as it is. With DPoP: a proof with the stored nonce in a `DPoP` header, any
/// `DPoP-Nonce` of the response stored, and one more try with a fresh proof when the server
/// answers `use_dpop_nonce` with a nonce (RFC 9449 §8; never a second retry). A final
/// `use_dpop_nonce` is `UseDpopNonceError`.
pub(super) struct TokenCall {
    request: HttpRequest,
    timeout_ms: u32,
    /// The refresh token's spent mark to take with the first send (see `Io::HttpMarkingSpent`).
    mark: Option<(String, u32)>,
    retried: bool,
    phase: CallPhase,
}

enum CallPhase {
    Start,
    Proving(Box<Proof>),
    Sent,
    StoringNonce(HttpResponse),
    Done,
}

impl TokenCall {
    pub(super) fn new(request: HttpRequest, timeout_ms: u32, mark: Option<(String, u32)>) -> TokenCall {
        TokenCall { request, timeout_ms, mark, retried: false, phase: CallPhase::Start }
    }

    /// The request's URL.
    pub(super) fn url(&self) -> &str {
        &self.request.url
    }

    fn send(&mut self, proof: Option<String>) -> Step<HttpResponse> {
        let mut request = self.request.clone();
        if let Some(p) = proof {
            request.headers.push((DPOP_HEADER.to_owned(), p));
        }
        self.phase = CallPhase::Sent;
        Step::Io(match self.mark.take() {
            Some((mark, hold)) => Io::HttpMarkingSpent(request, self.timeout_ms, mark, hold),
            None => Io::Http(request, self.timeout_ms),
        })
    }

    fn decide(&mut self, c: &Shared, response: HttpResponse) -> Option<Step<HttpResponse>> {
        match after_response(&response, self.retried || !c.options.dpop()) {
            AfterResponse::Accept => Some(Step::Done(Ok(response))),
            AfterResponse::Fail(nonce) => Some(Step::Done(Err(Error::use_dpop_nonce(nonce)))),
            AfterResponse::Retry(nonce) => {
                self.retried = true;
                self.phase = CallPhase::Proving(Box::new(Proof::new(c, self.request.method, &self.request.url, NonceFrom::Given(Some(nonce)), None)));
                None
            }
        }
    }

    pub(super) fn step(&mut self, c: &Shared, mut reply: Reply) -> Step<HttpResponse> {
        loop {
            match std::mem::replace(&mut self.phase, CallPhase::Done) {
                CallPhase::Start => {
                    if !c.options.dpop() {
                        return self.send(None);
                    }
                    let stored = NonceFrom::Stored(storage_key(c.client_id(), None));
                    self.phase = CallPhase::Proving(Box::new(Proof::new(c, self.request.method, &self.request.url, stored, None)));
                }
                // Only a DPoP client proves (a lite build has none: `dpop()` is false there).
                CallPhase::Proving(mut proving) if c.options.dpop() => match proving.step(reply) {
                    Step::Io(io) => {
                        self.phase = CallPhase::Proving(proving);
                        return Step::Io(io);
                    }
                    Step::Done(Ok(p)) => return self.send(Some(p)),
                    Step::Done(Err(e)) => return Step::Done(Err(e)),
                },
                CallPhase::Sent => {
                    let response = match reply.response() {
                        Ok(r) => r,
                        Err(e) => return Step::Done(Err(e)),
                    };
                    // A new nonce may come with any status (RFC 9449 §8.2): kept for the next proof.
                    if let (true, Some(nonce)) = (c.options.dpop(), &response.dpop_nonce) {
                        let io = Io::DpopNonceSet(storage_key(c.client_id(), None), nonce.clone());
                        self.phase = CallPhase::StoringNonce(response);
                        return Step::Io(io);
                    }
                    if let Some(done) = self.decide(c, response) {
                        return done;
                    }
                }
                CallPhase::StoringNonce(response) => {
                    if let Some(done) = self.decide(c, response) {
                        return done;
                    }
                }
                CallPhase::Proving(_) | CallPhase::Done => return Step::Done(Err(finished())),
            }
            reply = Reply::Start;
        }
    }
}

/// The randomness of an authorization request and, with DPoP, the key's thumbprint for
/// `dpop_jkt` (RFC 9449 §10), creating the key pair on first use.
pub(super) struct Draw {
    jkt: Option<String>,
    phase: u8,
}

impl Draw {
    pub(super) fn new() -> Draw {
        Draw { jkt: None, phase: 0 }
    }

    pub(super) fn step(&mut self, c: &Shared, reply: Reply) -> Step<(Vec<u8>, Option<String>)> {
        self.phase += 1;
        match self.phase {
            1 if c.options.dpop() => Step::Io(Io::DpopKey(storage_key(c.client_id(), None))),
            1 => {
                self.phase = 2;
                Step::Io(Io::Random(AUTHORIZE_RANDOM_BYTES))
            }
            2 if c.options.dpop() => match reply.text_result().and_then(|text| PublicJwk::parse(&text)) {
                Ok(jwk) => {
                    self.jkt = Some(jwk.thumbprint());
                    Step::Io(Io::Random(AUTHORIZE_RANDOM_BYTES))
                }
                Err(e) => Step::Done(Err(e)),
            },
            3 => Step::Done(reply.bytes().map(|bytes| (bytes, self.jkt.take()))),
            _ => Step::Done(Err(finished())),
        }
    }
}

/// The plain `Error` of a DPoP method called without `useDpop`.
fn disabled(c: &Shared) -> Result<()> {
    if c.options.dpop() {
        Ok(())
    } else {
        Err(Error::plain("dpop_disabled", DPOP_DISABLED_MESSAGE))
    }
}

/// One DPoP helper call (one flow type for the three, for size): `getDpopNonce(id?)` yields the
/// stored nonce of Auth0 (no `id`) or of an API; `setDpopNonce(nonce, id?)` yields `None`;
/// `generateDpopProof({url, method, nonce?, accessToken})` yields a proof for a resource request,
/// with `ath` (RFC 9449 §7) and the nonce given, if any.
pub struct DpopHelper {
    call: Helper,
}

enum Helper {
    Nonce(Option<Io>),
    Proof(Proof),
}

impl DpopHelper {
    pub(super) fn get_nonce(c: &Shared, id: Option<&str>) -> Result<DpopHelper> {
        disabled(c)?;
        Ok(DpopHelper { call: Helper::Nonce(Some(Io::DpopNonceGet(storage_key(c.client_id(), id)))) })
    }

    pub(super) fn set_nonce(c: &Shared, nonce: &str, id: Option<&str>) -> Result<DpopHelper> {
        disabled(c)?;
        Ok(DpopHelper { call: Helper::Nonce(Some(Io::DpopNonceSet(storage_key(c.client_id(), id), nonce.to_owned()))) })
    }

    pub(super) fn proof(c: &Shared, url: &str, method: &str, nonce: Option<&str>, access_token: Option<&str>) -> Result<DpopHelper> {
        disabled(c)?;
        let ath = access_token.filter(|t| !t.is_empty()).map(access_token_hash);
        Ok(DpopHelper { call: Helper::Proof(Proof::new(c, method, url, NonceFrom::Given(nonce.map(str::to_owned)), ath)) })
    }
}

impl Machine for DpopHelper {
    type Output = Option<String>;

    fn step(&mut self, reply: Reply) -> Step<Option<String>> {
        match &mut self.call {
            Helper::Nonce(io) => match io.take() {
                Some(io) => Step::Io(io),
                None => match reply {
                    Reply::Texts(_) => Step::Done(Ok(reply.text())),
                    other => Step::Done(other.outcome().map(|()| None)),
                },
            },
            Helper::Proof(proof) => match proof.step(reply) {
                Step::Io(io) => Step::Io(io),
                Step::Done(r) => Step::Done(r.map(Some)),
            },
        }
    }
}
