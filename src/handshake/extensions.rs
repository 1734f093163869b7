//! Hello extensions (RFC 5246 §7.4.1.4) and the ones DTLS 1.2 with the IoT profile uses.

use crate::codec::{DecodeError, Reader, put_vec8, put_vec16};

/// An extension type. Unknown values pass through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExtensionType(pub u16);

impl ExtensionType {
    /// server_name (RFC 6066).
    pub const SERVER_NAME: ExtensionType = ExtensionType(0);
    /// supported_groups (RFC 8422).
    pub const SUPPORTED_GROUPS: ExtensionType = ExtensionType(10);
    /// ec_point_formats (RFC 8422).
    pub const EC_POINT_FORMATS: ExtensionType = ExtensionType(11);
    /// signature_algorithms (RFC 5246).
    pub const SIGNATURE_ALGORITHMS: ExtensionType = ExtensionType(13);
    /// encrypt_then_mac (RFC 7366; irrelevant to AEAD suites).
    pub const ENCRYPT_THEN_MAC: ExtensionType = ExtensionType(22);
    /// extended_master_secret (RFC 7627).
    pub const EXTENDED_MASTER_SECRET: ExtensionType = ExtensionType(23);
    /// session_ticket (RFC 5077).
    pub const SESSION_TICKET: ExtensionType = ExtensionType(35);
    /// renegotiation_info (RFC 5746).
    pub const RENEGOTIATION_INFO: ExtensionType = ExtensionType(0xFF01);

    /// The RFC name, or "unknown".
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "server_name",
            10 => "supported_groups",
            11 => "ec_point_formats",
            13 => "signature_algorithms",
            22 => "encrypt_then_mac",
            23 => "extended_master_secret",
            35 => "session_ticket",
            0xFF01 => "renegotiation_info",
            _ => "unknown",
        }
    }
}

/// The signalling cipher suite value that stands for an empty renegotiation_info
/// (RFC 5746 §3.3).
pub const TLS_EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00FF;

/// One extension: its type and its raw data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// The type.
    pub extension_type: ExtensionType,
    /// The extension_data bytes.
    pub data: Vec<u8>,
}

impl Extension {
    /// extended_master_secret: always empty.
    pub fn extended_master_secret() -> Extension {
        Extension {
            extension_type: ExtensionType::EXTENDED_MASTER_SECRET,
            data: Vec::new(),
        }
    }

    /// renegotiation_info with the verify data of the previous handshake (empty on an
    /// initial handshake).
    pub fn renegotiation_info(verified_data: &[u8]) -> Extension {
        let mut data = Vec::new();
        put_vec8(&mut data, |d| d.extend_from_slice(verified_data));
        Extension {
            extension_type: ExtensionType::RENEGOTIATION_INFO,
            data,
        }
    }

    /// supported_groups with these named groups.
    pub fn supported_groups(groups: &[u16]) -> Extension {
        Extension {
            extension_type: ExtensionType::SUPPORTED_GROUPS,
            data: u16_list(groups),
        }
    }

    /// ec_point_formats with only "uncompressed" (RFC 8422 §5.1.2).
    pub fn ec_point_formats_uncompressed() -> Extension {
        Extension {
            extension_type: ExtensionType::EC_POINT_FORMATS,
            data: vec![1, 0],
        }
    }

    /// signature_algorithms with these (hash, signature) pairs.
    pub fn signature_algorithms(schemes: &[u16]) -> Extension {
        Extension {
            extension_type: ExtensionType::SIGNATURE_ALGORITHMS,
            data: u16_list(schemes),
        }
    }

    /// server_name with one host_name (RFC 6066 §3).
    pub fn server_name(host: &str) -> Extension {
        let mut data = Vec::new();
        put_vec16(&mut data, |list| {
            list.push(0); // name_type host_name
            put_vec16(list, |name| name.extend_from_slice(host.as_bytes()));
        });
        Extension {
            extension_type: ExtensionType::SERVER_NAME,
            data,
        }
    }
}

fn u16_list(values: &[u16]) -> Vec<u8> {
    let mut data = Vec::new();
    put_vec16(&mut data, |d| {
        for v in values {
            d.extend_from_slice(&v.to_be_bytes());
        }
    });
    data
}

/// Appends the extensions block; nothing at all when there are none (a TLS 1.2 hello
/// may end without the block).
pub fn encode_extensions(exts: &[Extension], out: &mut Vec<u8>) {
    if exts.is_empty() {
        return;
    }
    put_vec16(out, |block| {
        for e in exts {
            block.extend_from_slice(&e.extension_type.0.to_be_bytes());
            put_vec16(block, |d| d.extend_from_slice(&e.data));
        }
    });
}

/// Bytes [`encode_extensions`] writes.
pub(crate) fn extensions_len(exts: &[Extension]) -> usize {
    match exts {
        [] => 0,
        _ => 2 + exts.iter().map(|e| 4 + e.data.len()).sum::<usize>(),
    }
}

/// Reads the extensions block that ends a hello: none when nothing remains.
/// Rejects a type that appears twice (RFC 5246 §7.4.1.4).
pub fn decode_extensions(r: &mut Reader<'_>) -> Result<Vec<Extension>, DecodeError> {
    if r.is_empty() {
        return Ok(Vec::new());
    }
    let mut block = r.sub16()?;
    let mut exts: Vec<Extension> = Vec::new();
    while !block.is_empty() {
        let extension_type = ExtensionType(block.u16()?);
        let data = block.vec16()?.to_vec();
        if exts.iter().any(|e| e.extension_type == extension_type) {
            return Err(DecodeError::Invalid("an extension appears twice"));
        }
        exts.push(Extension {
            extension_type,
            data,
        });
    }
    Ok(exts)
}

/// The extension of this type, if present.
pub fn find_extension(exts: &[Extension], t: ExtensionType) -> Option<&Extension> {
    exts.iter().find(|e| e.extension_type == t)
}

/// The renegotiated_connection field of a renegotiation_info extension.
pub fn renegotiation_info_data(ext: &Extension) -> Result<&[u8], DecodeError> {
    let mut r = Reader::new(&ext.data);
    let data = r.vec8()?;
    r.expect_end()?;
    Ok(data)
}

/// The values of a list-of-u16 extension (supported_groups, signature_algorithms).
pub fn u16_list_data(ext: &Extension) -> Result<Vec<u16>, DecodeError> {
    let mut r = Reader::new(&ext.data);
    let mut list = r.sub16()?;
    r.expect_end()?;
    let mut values = Vec::with_capacity(list.len() / 2);
    while !list.is_empty() {
        values.push(list.u16()?);
    }
    Ok(values)
}

/// The formats listed by an ec_point_formats extension.
pub fn u8_list_data(ext: &Extension) -> Result<&[u8], DecodeError> {
    let mut r = Reader::new(&ext.data);
    let list = r.vec8()?;
    r.expect_end()?;
    Ok(list)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_duplicates() {
        let exts = vec![
            Extension::extended_master_secret(),
            Extension::renegotiation_info(&[]),
            Extension::server_name("coap.example"),
        ];
        let mut out = Vec::new();
        encode_extensions(&exts, &mut out);
        assert_eq!(decode_extensions(&mut Reader::new(&out)).unwrap(), exts);
        let reneg = find_extension(&exts, ExtensionType::RENEGOTIATION_INFO).unwrap();
        assert_eq!(renegotiation_info_data(reneg).unwrap(), b"");

        let twice = vec![
            Extension::extended_master_secret(),
            Extension::extended_master_secret(),
        ];
        let mut out = Vec::new();
        encode_extensions(&twice, &mut out);
        assert!(decode_extensions(&mut Reader::new(&out)).is_err());

        let groups = Extension::supported_groups(&[23, 29]);
        assert_eq!(u16_list_data(&groups).unwrap(), vec![23, 29]);
        let formats = Extension::ec_point_formats_uncompressed();
        assert_eq!(u8_list_data(&formats).unwrap(), &[0]);
        let odd = Extension {
            extension_type: ExtensionType::SUPPORTED_GROUPS,
            data: vec![0, 3, 0, 23, 0],
        };
        assert!(u16_list_data(&odd).is_err());

        let mut none = Vec::new();
        encode_extensions(&[], &mut none);
        assert!(none.is_empty());
        assert!(
            decode_extensions(&mut Reader::new(&none))
                .unwrap()
                .is_empty()
        );
    }
}
