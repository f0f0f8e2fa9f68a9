//! The gateway's signing key: loading, first-start generation, and signing answers.

use alloy::{
    primitives::{Address, Bytes, B256},
    signers::{local::PrivateKeySigner, SignerSync},
};
use dm3_protocol::{digest_for, Scheme, SignedAnswer};
use std::{
    fmt,
    path::{Path, PathBuf},
};

/// Result with the signing layer's [`SigningError`].
pub type Result<T, E = SigningError> = std::result::Result<T, E>;

/// Why an answer could not be signed, or the key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The signature itself failed.
    #[error("signing failed: {0}")]
    Sign(#[from] alloy::signers::Error),
    /// The signing threads are gone (the service is shutting down).
    #[error("the signing threads have stopped")]
    PoolStopped,
    /// The signing key could not be loaded or created.
    #[error("signing key: {0}")]
    Key(#[from] KeyError),
}

/// Why the signing key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The text is not 32 bytes of hex.
    #[error("expected 32 bytes of hex")]
    NotHex,
    /// The 32 bytes are not a valid secp256k1 private key (zero, or not below the group order).
    #[error("not a valid secp256k1 private key")]
    OutOfRange,
    /// A key file or its directory could not be read, created or written.
    #[error("cannot {action} {}: {source}", path.display())]
    File {
        /// `read`, `create` or `write`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

impl KeyError {
    fn file<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Self + 'a {
        move |source| Self::File { action, path: path.to_owned(), source }
    }
}

/// Signs CCIP-read answers with one secp256k1 key.
///
/// `Debug` prints only the address: the key is never logged.
#[derive(Clone)]
pub struct AnswerSigner {
    key: PrivateKeySigner,
}

impl fmt::Debug for AnswerSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerSigner").field("address", &self.address()).finish()
    }
}

impl AnswerSigner {
    /// Wraps an existing alloy signer.
    pub const fn new(key: PrivateKeySigner) -> Self {
        Self { key }
    }

    /// Parses a 32-byte private key given as hex (with or without `0x`, surrounding
    /// white space ignored).
    pub fn from_hex(hex: &str) -> Result<Self> {
        let bytes =
            B256::from_slice(&alloy::hex::decode(hex.trim()).ok().filter(|b| b.len() == 32).ok_or(KeyError::NotHex)?);
        let key = PrivateKeySigner::from_bytes(&bytes).map_err(|_| KeyError::OutOfRange)?;
        Ok(Self { key })
    }

    /// Reads a hex private key from a file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(KeyError::file("read", path))?;
        Self::from_hex(&text)
    }

    /// Loads the key at `path`, or generates a random one there (mode 0600) when
    /// the file does not exist yet. Returns whether the key was created.
    pub fn load_or_generate(path: &Path) -> Result<(Self, bool)> {
        if path.exists() {
            return Ok((Self::from_file(path)?, false));
        }
        let key = PrivateKeySigner::random();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(KeyError::file("create", dir))?;
        }
        write_private(path, &format!("0x{}\n", alloy::hex::encode(key.to_bytes())))
            .map_err(KeyError::file("write", path))?;
        Ok((Self { key }, true))
    }

    /// Generates a random key and writes it to `path` (mode 0600, parent
    /// directories created); fails when `path` exists, never overwriting a key.
    pub fn create(path: &Path) -> Result<Self> {
        let key = PrivateKeySigner::random();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(KeyError::file("create", dir))?;
        }
        write_private(path, &format!("0x{}\n", alloy::hex::encode(key.to_bytes())))
            .map_err(KeyError::file("create", path))?;
        Ok(Self { key })
    }

    /// The address that `resolveWithProof` recovers from this key's signatures.
    pub const fn address(&self) -> Address {
        self.key.address()
    }

    /// Signs `result` as the answer to `request` for the resolver `target`, valid
    /// until `expires` (Unix seconds). The signature is 65 bytes `r ‖ s ‖ v` with
    /// low `s` (k256 normalizes it) and `v` ∈ {27, 28}.
    pub fn sign_answer(&self, target: Address, request: &[u8], result: Bytes, expires: u64) -> Result<SignedAnswer> {
        self.sign_answer_in(Scheme::Ens, target, request, result, expires)
    }

    /// [`AnswerSigner::sign_answer`] in `scheme`'s digest ([`digest_for`]): the
    /// ENS digest as is, or dm3's EIP-191-prefixed one.
    pub fn sign_answer_in(
        &self,
        scheme: Scheme,
        target: Address,
        request: &[u8],
        result: Bytes,
        expires: u64,
    ) -> Result<SignedAnswer> {
        let digest = digest_for(scheme, target, expires, request, &result);
        let signature = self.sign_digest(&digest)?;
        Ok(SignedAnswer { result, expires, signature })
    }

    /// The 65-byte (r, s, v) low-s signature of a 32-byte digest.
    fn sign_digest(&self, digest: &B256) -> Result<[u8; 65]> {
        Ok(self.key.sign_hash_sync(digest)?.as_bytes())
    }
}

/// Threads that compute answer signatures off the event loop.
///
/// A signature is most of an uncached answer's CPU time (tens of µs). Run
/// inline, a burst of uncached lookups holds the event-loop threads and every
/// cached answer, health check and write waits behind it; here the event loop
/// only hashes, hands over the 32-byte digest and goes on. tokio's blocking
/// pool would do too, but it is shared with store writes (which wait on disk)
/// and grows a thread per waiting job instead of keeping one per core.
#[derive(Debug, Clone)]
pub struct SigningPool {
    signer: AnswerSigner,
    jobs: crossbeam_channel::Sender<SigningJob>,
}

struct SigningJob {
    digest: B256,
    reply: tokio::sync::oneshot::Sender<Result<[u8; 65]>>,
}

impl SigningPool {
    /// Starts `threads` signing threads (at least one) with `signer`'s key;
    /// they stop when the last clone of the pool is dropped.
    pub fn start(signer: AnswerSigner, threads: usize) -> std::io::Result<Self> {
        let (jobs, queue) = crossbeam_channel::unbounded::<SigningJob>();
        for index in 0..threads.max(1) {
            let (signer, queue) = (signer.clone(), queue.clone());
            std::thread::Builder::new().name(format!("sign-{index}")).spawn(move || {
                for job in queue {
                    // Under overload the queue may hold requests that timed out or
                    // whose client left: signing those would only delay the rest.
                    if !job.reply.is_closed() {
                        let _ = job.reply.send(signer.sign_digest(&job.digest));
                    }
                }
            })?;
        }
        Ok(Self { signer, jobs })
    }

    /// The key the pool signs with.
    pub const fn signer(&self) -> &AnswerSigner {
        &self.signer
    }

    /// [`AnswerSigner::sign_answer`] on a signing thread.
    pub async fn sign_answer(
        &self,
        target: Address,
        request: &[u8],
        result: Bytes,
        expires: u64,
    ) -> Result<SignedAnswer> {
        self.sign_answer_in(Scheme::Ens, target, request, result, expires).await
    }

    /// [`AnswerSigner::sign_answer_in`] on a signing thread.
    pub async fn sign_answer_in(
        &self,
        scheme: Scheme,
        target: Address,
        request: &[u8],
        result: Bytes,
        expires: u64,
    ) -> Result<SignedAnswer> {
        let digest = digest_for(scheme, target, expires, request, &result);
        let (reply, signature) = tokio::sync::oneshot::channel();
        self.jobs.send(SigningJob { digest, reply }).map_err(|_| SigningError::PoolStopped)?;
        let signature = signature.await.map_err(|_| SigningError::PoolStopped)??;
        Ok(SignedAnswer { result, expires, signature })
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{address, Signature, U256};
    use dm3_protocol::{dm3_signature_digest, signature_digest};

    #[test]
    fn dm3_answers_sign_the_personal_message_digest() {
        let signer = AnswerSigner::from_hex(ANVIL_1).unwrap();
        let target = address!("1111111111111111111111111111111111111111");
        let answer = signer.sign_answer_in(Scheme::Dm3, target, b"req", Bytes::from_static(b"res"), 9).unwrap();
        let sig = Signature::from_raw(&answer.signature).unwrap();
        let digest = dm3_signature_digest(target, 9, b"req", b"res");
        assert_eq!(sig.recover_address_from_prehash(&digest).unwrap(), signer.address());
        // What ethers' `signMessage(digest)` and OpenZeppelin's `toEthSignedMessageHash` agree on.
        let ens = signature_digest(target, 9, b"req", b"res");
        assert_eq!(sig.recover_address_from_msg(ens.as_slice()).unwrap(), signer.address());
    }

    const ANVIL_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    #[test]
    fn debug_does_not_print_the_key() {
        let signer = AnswerSigner::from_hex(ANVIL_1).unwrap();
        let shown = format!("{signer:?}");
        assert!(shown.to_lowercase().contains("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"), "{shown}");
        assert!(!shown.to_lowercase().contains(&ANVIL_1[2..12]), "{shown}");
    }

    #[test]
    fn signs_low_s_65_bytes_recoverable() {
        let signer = AnswerSigner::from_hex(ANVIL_1).unwrap();
        let target = address!("1111111111111111111111111111111111111111");
        for i in 0..50u8 {
            let answer = signer.sign_answer(target, &[i], Bytes::from(vec![i; 3]), 1000 + u64::from(i)).unwrap();
            let sig = Signature::from_raw(&answer.signature).unwrap();
            assert!(answer.signature[64] == 27 || answer.signature[64] == 28);
            let half_n: U256 = "0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0".parse().unwrap();
            assert!(sig.s() <= half_n, "high s");
            let digest = signature_digest(target, answer.expires, &[i], &answer.result);
            assert_eq!(sig.recover_address_from_prehash(&digest).unwrap(), signer.address());
        }
    }

    #[tokio::test]
    async fn pool_signs_exactly_what_the_signer_signs() {
        let signer = AnswerSigner::from_hex(ANVIL_1).unwrap();
        let pool = SigningPool::start(signer.clone(), 3).unwrap();
        assert_eq!(pool.signer().address(), signer.address());
        let target = address!("1111111111111111111111111111111111111111");
        let answers = futures_util::future::join_all((0..64u8).map(|i| {
            let pool = pool.clone();
            async move { pool.sign_answer(target, &[i; 7], Bytes::from(vec![i; 5]), 1000 + u64::from(i)).await }
        }))
        .await;
        for (i, pooled) in (0..64u8).zip(answers) {
            let inline = signer.sign_answer(target, &[i; 7], Bytes::from(vec![i; 5]), 1000 + u64::from(i)).unwrap();
            // RFC 6979 nonces: the same digest gives the same signature bytes.
            assert_eq!(pooled.unwrap(), inline, "answer {i}");
        }
    }

    #[tokio::test]
    async fn pool_answers_after_abandoned_requests() {
        let signer = AnswerSigner::from_hex(ANVIL_1).unwrap();
        let pool = SigningPool::start(signer.clone(), 1).unwrap();
        let target = address!("1111111111111111111111111111111111111111");
        for i in 0..100u8 {
            // Queued, then dropped before its signature came: a request that gave up.
            let _ = futures_util::FutureExt::now_or_never(pool.sign_answer(target, &[i], Bytes::new(), 1));
        }
        let answer = pool.sign_answer(target, &[1], Bytes::new(), 1).await.unwrap();
        assert_eq!(answer, signer.sign_answer(target, &[1], Bytes::new(), 1).unwrap());
    }

    #[test]
    fn rejects_bad_keys() {
        for bad in ["", "0x12", "zz", &"00".repeat(32)] {
            assert!(AnswerSigner::from_hex(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn generates_once_and_then_keeps_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/dev.key");
        let (first, created) = AnswerSigner::load_or_generate(&path).unwrap();
        assert!(created);
        let (second, created) = AnswerSigner::load_or_generate(&path).unwrap();
        assert!(!created);
        assert_eq!(first.address(), second.address());
        assert!(AnswerSigner::create(&path).is_err(), "create never overwrites");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
