//! The NetX certificate stores: certificates added with a non-zero id chosen by the
//! application, removed by id or by common name.

use super::{Certificate, PrivateKey};
use crate::error::Error;

/// A certificate (or chain) with its NetX id.
#[derive(Clone, Debug)]
struct Entry<T> {
    id: u32,
    item: T,
}

/// The session's own identity: a chain (own certificate first) and its private key.
#[derive(Clone, Debug)]
pub struct LocalIdentity {
    /// Own certificate first, then the intermediates to send.
    pub chain: Vec<Certificate>,
    /// The key of the first certificate.
    pub key: PrivateKey,
}

/// A store of items named by id and by their first certificate's common name.
#[derive(Clone, Debug)]
pub struct CertificateStore<T> {
    entries: Vec<Entry<T>>,
}

impl<T> Default for CertificateStore<T> {
    fn default() -> Self {
        CertificateStore {
            entries: Vec::new(),
        }
    }
}

/// What a store can name by common name.
pub trait Named {
    /// The certificate whose common name identifies the item.
    fn certificate(&self) -> Option<&Certificate>;
}

impl Named for Certificate {
    fn certificate(&self) -> Option<&Certificate> {
        Some(self)
    }
}

impl Named for LocalIdentity {
    fn certificate(&self) -> Option<&Certificate> {
        self.chain.first()
    }
}

impl<T: Named> CertificateStore<T> {
    /// Adds `item` under `id`: NX_INVALID_PARAMETERS (0x4D) for id 0,
    /// NX_SECURE_TLS_CERT_ID_DUPLICATE (0x139) for an id in use.
    pub fn add(&mut self, id: u32, item: T) -> Result<(), Error> {
        if id == 0 {
            return Err(Error::InvalidParameters(
                "a certificate id must not be 0 (0 means: remove by common name)",
            ));
        }
        if self.entries.iter().any(|e| e.id == id) {
            return Err(Error::CertificateIdDuplicate(id));
        }
        self.entries.push(Entry { id, item });
        Ok(())
    }

    /// Removes by id, or — when `id` is 0 — every item whose certificate has this common
    /// name (NetX rule). NX_SECURE_TLS_CERTIFICATE_NOT_FOUND (0x119) when none matches.
    pub fn remove(&mut self, common_name: Option<&str>, id: u32) -> Result<(), Error> {
        let before = self.entries.len();
        if id != 0 {
            self.entries.retain(|e| e.id != id);
        } else if let Some(name) = common_name {
            self.entries.retain(|e| {
                e.item
                    .certificate()
                    .and_then(Certificate::common_name)
                    .as_deref()
                    != Some(name)
            });
        }
        if self.entries.len() == before {
            return Err(Error::CertificateNotFound);
        }
        Ok(())
    }

    /// The items, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().map(|e| &e.item)
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many items it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}
