//! PEM files as people have them: several blocks (a chain, or OpenSSL's
//! `EC PARAMETERS` block before an `EC PRIVATE KEY`), with explanatory text around and
//! between them (`subject=…` lines from `openssl s_client -showcerts`, `#` comments in CA
//! bundles), which OpenSSL's own PEM reader skips. pem-rfc7468 decodes each block.

use x509_cert::der::pem;
use zeroize::Zeroizing;

const BEGIN: &[u8] = b"-----BEGIN ";
const DASHES: &[u8] = b"-----";

/// One decoded block: its label and its bytes (wiped when dropped, as a block may hold
/// a private key).
pub(super) struct Block {
    /// The label, e.g. `CERTIFICATE` or `EC PRIVATE KEY`.
    pub label: String,
    /// The decoded (DER) bytes.
    pub der: Zeroizing<Vec<u8>>,
}

/// Whether `bytes` hold any PEM block (rather than DER).
pub(super) fn is_pem(bytes: &[u8]) -> bool {
    find(bytes, BEGIN).is_some()
}

/// Whether `text` holds a block encrypted the way OpenSSL did before PKCS#8: the usual
/// label, with `Proc-Type: 4,ENCRYPTED` and `DEK-Info` headers (RFC 1421 §4.6.1.1).
pub(super) fn is_legacy_encrypted(text: &[u8]) -> bool {
    find(text, b"Proc-Type: 4,ENCRYPTED").is_some()
}

/// Every block of `text`, in order; `None` if a block is cut short or its Base64 is
/// bad (a damaged file is an error, not a shorter chain).
pub(super) fn blocks(text: &[u8]) -> Option<Vec<Block>> {
    encoded_blocks(text)?
        .into_iter()
        .map(|(_, encoded)| {
            let (label, der) = pem::decode_vec(encoded).ok()?;
            Some(Block {
                label: label.to_owned(),
                der: Zeroizing::new(der),
            })
        })
        .collect()
}

/// Every block of `text` as its label and its text, from its BEGIN line through its
/// END line (a PEM file of its own), in order; `None` if a block is cut short.
pub(super) fn encoded_blocks(text: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find(rest, BEGIN) {
        let block = rest.get(start..)?;
        let after_begin = block.get(BEGIN.len()..)?;
        let label = after_begin.get(..find(after_begin, DASHES)?)?;
        let end_line = [b"-----END ", label, DASHES].concat();
        let end = find(block, &end_line)? + end_line.len();
        out.push((label, block.get(..end)?));
        rest = block.get(end..)?;
    }
    Some(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    // "hello" and "key" in Base64 (RFC 4648 §4).
    const TWO: &[u8] = b"# a comment\nsubject=CN = a\n-----BEGIN CERTIFICATE-----\naGVsbG8=\n\
        -----END CERTIFICATE-----\nissuer text\n-----BEGIN EC PRIVATE KEY-----\na2V5\n\
        -----END EC PRIVATE KEY-----\n";

    #[test]
    fn finds_every_block_and_skips_the_text_around_them() {
        let found = blocks(TWO).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].label, "CERTIFICATE");
        assert_eq!(found[0].der.as_slice(), b"hello");
        assert_eq!(found[1].label, "EC PRIVATE KEY");
        assert_eq!(found[1].der.as_slice(), b"key");
        assert!(is_pem(TWO));
        assert!(!is_pem(&[0x30, 0x82, 0x01, 0x00]));
    }

    #[test]
    fn a_block_cut_short_or_with_bad_base64_is_an_error() {
        let cut = TWO.get(..TWO.len() - 10).unwrap();
        assert!(blocks(cut).is_none());
        let bad = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(blocks(bad).is_none());
        let mismatched = b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END KEY-----\n";
        assert!(blocks(mismatched).is_none());
        assert_eq!(blocks(b"no blocks here").unwrap().len(), 0);
    }
}
