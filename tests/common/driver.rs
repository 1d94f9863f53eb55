//! The native driver of the flows: steps [`Machine`]s over a scripted platform, with no executor.
//! Several flows run interleaved (two tabs, fifty concurrent calls, a logout while a refresh is on
//! the network): a flow runs until it asks for network, a sleep or a lock someone else holds,
//! then the next one runs. Locks are exclusive per name; every lock a flow holds is released when
//! it ends; a lock no one can get within the run fails with `TimeoutError`, as the browser's
//! does after its wait.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use auth0_spa_wasm::core::json::Json;
use auth0_spa_wasm::core::options::{ClientOptions, ParamList};
use auth0_spa_wasm::core::{Error, ErrorClass, Result};
use auth0_spa_wasm::client::{self, Env, GetTokenOptions, HitView, Io, Machine, Reply, Step};

use super::FakePopup;

/// A scripted platform: performs one request at once.
pub trait Perform {
    /// The page facts the client is built with.
    fn env(&self) -> Env;
    /// Performs `io` (locks are the scheduler's).
    fn perform(&self, io: &Io) -> Reply;
    /// Whether another tab's logout waits to be taken (for `cache_generation`).
    fn remote_logout_pending(&self) -> bool;
    /// Told which locks are held whenever that changes.
    fn note_locks(&self, _held: Vec<String>) {}
    /// Told of every lock a flow asks for, and whether it asks for the lock manager's state at
    /// the grant (the flag of [`Io::Lock`]).
    fn note_lock_request(&self, _name: &str, _checks_spent: bool) {}
}

/// A flow bound to the platform it runs on.
pub struct Job<M, P> {
    machine: M,
    platform: P,
}

/// One flow in the scheduler: steps it and keeps its result.
trait Task {
    fn step(&mut self, reply: Reply) -> Option<Io>;
}

struct Slot<M: Machine> {
    machine: M,
    out: Rc<RefCell<Option<Result<M::Output>>>>,
}

impl<M: Machine> Task for Slot<M> {
    fn step(&mut self, reply: Reply) -> Option<Io> {
        match self.machine.step(reply) {
            Step::Io(io) => Some(io),
            Step::Done(r) => {
                *self.out.borrow_mut() = Some(r);
                None
            }
        }
    }
}

fn yields(io: &Io) -> bool {
    matches!(io, Io::Http(..) | Io::HttpMarkingSpent(..) | Io::Sleep(_) | Io::Iframe(_) | Io::Popup(..))
}

/// Runs every task to its end, interleaved (see the module docs).
fn schedule(platform: &dyn Perform, mut tasks: Vec<Box<dyn Task + '_>>) {
    let n = tasks.len();
    let mut pending: Vec<Option<Reply>> = (0..n).map(|_| Some(Reply::Start)).collect();
    let mut waiting: Vec<Option<(String, u32)>> = vec![None; n];
    let mut holders: BTreeMap<String, usize> = BTreeMap::new();
    let mut done = vec![false; n];
    let mut steps = 0u32;
    while done.iter().any(|d| !d) {
        let mut progressed = false;
        for i in 0..n {
            if done[i] {
                continue;
            }
            if let Some((name, _)) = &waiting[i] {
                if holders.contains_key(name) {
                    continue;
                }
                holders.insert(name.clone(), i);
                platform.note_locks(holders.keys().cloned().collect());
                waiting[i] = None;
                pending[i] = Some(Reply::Outcome(Ok(())));
            }
            let Some(mut reply) = pending[i].take() else { continue };
            progressed = true;
            loop {
                steps += 1;
                assert!(steps < 1_000_000, "a flow keeps asking: endless loop");
                let Some(io) = tasks[i].step(reply) else {
                    done[i] = true;
                    holders.retain(|_, holder| *holder != i);
                    platform.note_locks(holders.keys().cloned().collect());
                    break;
                };
                if let Io::Lock(name, timeout, checks_spent) = &io {
                    platform.note_lock_request(name, *checks_spent);
                    match holders.get(name) {
                        None => {
                            holders.insert(name.clone(), i);
                            platform.note_locks(holders.keys().cloned().collect());
                            reply = Reply::Outcome(Ok(()));
                            continue;
                        }
                        Some(&holder) if holder == i => {
                            reply = Reply::Outcome(Ok(()));
                            continue;
                        }
                        Some(_) => {
                            waiting[i] = Some((name.clone(), *timeout));
                            break;
                        }
                    }
                }
                let r = platform.perform(&io);
                if yields(&io) {
                    pending[i] = Some(r);
                    break;
                }
                reply = r;
            }
        }
        if !progressed {
            // Everyone left waits for a lock no one releases: the first gives up, as a browser
            // lock wait times out.
            if let Some(i) = (0..n).find(|&i| !done[i] && waiting[i].is_some()) {
                waiting[i] = None;
                pending[i] = Some(Reply::Outcome(Err(Error::timeout())));
            }
        }
    }
}

/// What [`run`] can run: one flow, two, or many.
pub trait Runnable {
    /// The results.
    type Output;
    /// Runs to the end.
    fn run_now(self) -> Self::Output;
}

impl<M: Machine, P: Perform> Runnable for Job<M, P> {
    type Output = Result<M::Output>;
    fn run_now(self) -> Result<M::Output> {
        let out = Rc::new(RefCell::new(None));
        schedule(&self.platform, vec![Box::new(Slot { machine: self.machine, out: out.clone() })]);
        out.take().unwrap_or_else(unfinished)
    }
}

/// Two flows run interleaved on the first one's platform.
pub struct Both<A, B>(A, B);

impl<A: Machine, B: Machine, P: Perform> Runnable for Both<Job<A, P>, Job<B, P>> {
    type Output = (Result<A::Output>, Result<B::Output>);
    fn run_now(self) -> Self::Output {
        let (a, b) = (Rc::new(RefCell::new(None)), Rc::new(RefCell::new(None)));
        let platform = self.0.platform;
        let tasks: Vec<Box<dyn Task>> = vec![Box::new(Slot { machine: self.0.machine, out: a.clone() }), Box::new(Slot { machine: self.1.machine, out: b.clone() })];
        schedule(&platform, tasks);
        (a.take().unwrap_or_else(unfinished), b.take().unwrap_or_else(unfinished))
    }
}

/// Many flows of one kind run interleaved.
pub struct All<J>(Vec<J>);

impl<M: Machine, P: Perform> Runnable for All<Job<M, P>> {
    type Output = Vec<Result<M::Output>>;
    fn run_now(self) -> Self::Output {
        let mut jobs = self.0.into_iter();
        let first = jobs.next();
        let Some(first) = first else { return Vec::new() };
        let performer = first.platform;
        let mut outs = vec![Rc::new(RefCell::new(None))];
        let mut tasks: Vec<Box<dyn Task>> = vec![Box::new(Slot { machine: first.machine, out: outs[0].clone() })];
        for job in jobs {
            let out = Rc::new(RefCell::new(None));
            tasks.push(Box::new(Slot { machine: job.machine, out: out.clone() }));
            outs.push(out);
        }
        schedule(&performer, tasks);
        outs.into_iter().map(|o| o.take().unwrap_or_else(unfinished)).collect()
    }
}

fn unfinished<T>() -> Result<T> {
    Err(Error::new(ErrorClass::Generic, "internal_error", "the flow did not finish"))
}

/// Runs flows to their end on their platform.
pub fn run<R: Runnable>(r: R) -> R::Output {
    r.run_now()
}

/// Two flows at once (`Promise.all` of two calls, or two tabs sharing storage).
pub fn join<A, B>(a: A, b: B) -> Both<A, B> {
    Both(a, b)
}

/// Many flows at once.
pub fn join_all<J>(jobs: impl IntoIterator<Item = J>) -> All<J> {
    All(jobs.into_iter().collect())
}

/// A client on a scripted platform: the flows of [`client::Client`], each bound to the platform so
/// that tests read `run(client.get_token_silently(&options))`.
pub struct Client<P: Perform + Clone> {
    inner: client::Client,
    platform: P,
}

impl<P: Perform + Clone> Client<P> {
    /// A client for `options` in the platform's page.
    pub fn new(options: ClientOptions, platform: P) -> Client<P> {
        Client { inner: client::Client::new(options, platform.env()), platform }
    }

    fn job<M>(&self, machine: M) -> Job<M, P> {
        Job { machine, platform: self.platform.clone() }
    }

    pub fn options(&self) -> &ClientOptions {
        self.inner.options()
    }
    pub fn login_with_redirect(&self, params: &ParamList, app_state: Option<Json>) -> Result<String> {
        run(self.job(self.inner.login_with_redirect(params, app_state)))
    }
    pub fn handle_redirect_callback(&self, url: &str) -> Job<client::HandleRedirectCallback, P> {
        self.job(self.inner.handle_redirect_callback(url))
    }
    pub fn connect_start(&self, redirect_uri: Option<&str>) -> Job<client::ConnectStart, P> {
        self.job(self.inner.connect_start(redirect_uri))
    }
    pub fn connect_store(&self, started: &Json, answer: &Json, app_state: Option<Json>, connection: Option<String>) -> Job<client::ConnectStore, P> {
        self.job(self.inner.connect_store(started, answer, app_state, connection))
    }
    pub fn login_with_popup(&self, _popup: FakePopup, params: &ParamList, timeout_ms: Option<u64>, close: bool) -> Job<client::LoginWithPopup, P> {
        self.job(self.inner.login_with_popup(params, timeout_ms, close))
    }
    pub fn get_token_with_popup(&self, _popup: FakePopup, params: &ParamList, timeout_ms: Option<u64>, close: bool) -> Job<client::GetTokenWithPopup, P> {
        self.job(self.inner.get_token_with_popup(params, timeout_ms, close))
    }
    pub fn get_token_silently(&self, options: &GetTokenOptions) -> Job<client::GetTokenSilently, P> {
        self.job(self.inner.get_token_silently(options))
    }
    pub fn get_user(&self) -> Flat<client::ReadSession<Option<Json>>, P> {
        Flat(self.job(self.inner.get_user()))
    }
    pub fn get_id_token_claims(&self) -> Flat<client::ReadSession<Option<Json>>, P> {
        Flat(self.job(self.inner.get_id_token_claims()))
    }
    pub fn is_authenticated(&self) -> Flat<client::ReadSession<bool>, P> {
        Flat(self.job(self.inner.is_authenticated()))
    }
    pub fn check_session(&self, options: &GetTokenOptions) -> Flat<client::CheckSession, P> {
        Flat(self.job(self.inner.check_session(options)))
    }
    pub fn logout(&self, options: &Json) -> Job<client::Logout, P> {
        self.job(self.inner.logout(options))
    }
    pub fn login_with_custom_token_exchange(&self, options: &Json) -> Job<client::LoginWithGrant, P> {
        self.job(self.inner.login_with_custom_token_exchange(options))
    }
    pub fn custom_token_exchange(&self, options: &Json) -> Job<client::CustomTokenExchange, P> {
        self.job(self.inner.custom_token_exchange(options))
    }
    pub fn mfa_verify(&self, args: &Json) -> Job<client::MfaVerify, P> {
        self.job(self.inner.mfa_verify(args))
    }
    pub fn passkey_grant(&self, args: &Json) -> Job<client::LoginWithGrant, P> {
        self.job(self.inner.passkey_grant(args))
    }
    pub fn revoke_refresh_token(&self, audience: Option<&str>) -> Job<client::RevokeRefreshToken, P> {
        self.job(self.inner.revoke_refresh_token(audience))
    }
    pub fn get_dpop_nonce(&self, id: Option<&str>) -> Result<Job<client::DpopHelper, P>> {
        Ok(self.job(self.inner.get_dpop_nonce(id)?))
    }
    pub fn set_dpop_nonce(&self, nonce: &str, id: Option<&str>) -> Result<Job<client::DpopHelper, P>> {
        Ok(self.job(self.inner.set_dpop_nonce(nonce, id)?))
    }
    pub fn generate_dpop_proof(&self, url: &str, method: &str, nonce: Option<&str>, access_token: Option<&str>) -> Result<Job<client::DpopHelper, P>> {
        Ok(self.job(self.inner.generate_dpop_proof(url, method, nonce, access_token)?))
    }
    pub fn hit_view(&self, options: &GetTokenOptions) -> Option<HitView> {
        self.inner.hit_view(options)
    }
    /// `None` while another tab's logout waits to be applied (as the facade reports it).
    pub fn cache_generation(&self) -> Option<u32> {
        (!self.platform.remote_logout_pending()).then(|| self.inner.cache_generation())
    }
}

/// A flow whose errors cannot happen (reads that treat every failure as "nothing"): runs to its
/// plain value, as the methods it stands for return one.
pub struct Flat<M, P>(Job<M, P>);

impl<M: Machine, P: Perform> Runnable for Flat<M, P>
where
    M::Output: Default,
{
    type Output = M::Output;
    fn run_now(self) -> M::Output {
        self.0.run_now().unwrap_or_default()
    }
}
