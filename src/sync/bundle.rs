//! The bundle format, before encryption: UTF-8 JSON lines. A header line, one line per
//! change in merge order, and a trailer line with the change count and a SHA-256 of every
//! byte before it. Written and read as a stream: memory stays at one line whatever the size.

use std::io::{BufRead, Read, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Change, ChangeRef, SyncError, VersionVector};

/// The `format` of every bundle header.
pub const FORMAT: &str = "sluss-bundle";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;
/// The longest line accepted: a row insert with two 20 000-character texts, escaped, fits
/// many times over; anything longer is damage, not data.
const MAX_LINE: u64 = 4 << 20;

/// The first line of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Format version ([`FORMAT_VERSION`]).
    pub version: u32,
    /// Schema version of the store that wrote it.
    pub schema: i64,
    /// Replica id of the store that wrote it.
    pub source: String,
    /// When it was written (RFC 3339, UTC).
    pub created_at: String,
    /// Number of change lines.
    pub count: u64,
    /// The source's knowledge: per origin replica, the clock up to which it holds every change.
    pub knowledge: VersionVector,
    /// What the source assumed the target already holds (empty for `--all`): the bundle holds
    /// every change of the source newer than this, except for a partial bundle.
    pub since: VersionVector,
    /// True when the bundle holds a subset (a partner export): the target must not take the
    /// source's knowledge as its own.
    pub partial: bool,
    /// The organisation a partner bundle was made for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_org: Option<String>,
}

/// The last line of a bundle.
#[derive(Debug, Serialize, Deserialize)]
struct Trailer {
    /// Always [`FORMAT`]; a line starting with `{"end":` is the trailer.
    end: String,
    /// Number of change lines (again).
    count: u64,
    /// Lower-case hex SHA-256 of every byte of the bundle before this line.
    sha256: String,
}

/// Writes a bundle line by line, hashing as it goes.
pub struct BundleWriter<W: Write> {
    out: W,
    hash: Sha256,
    expected: u64,
    written: u64,
    buf: Vec<u8>,
}

impl<W: Write> BundleWriter<W> {
    /// Starts a bundle with its header.
    pub fn new(out: W, header: &Header) -> Result<Self, SyncError> {
        let mut w = BundleWriter { out, hash: Sha256::new(), expected: header.count, written: 0, buf: Vec::new() };
        w.line(&serde_json::to_vec(header).expect("a header always serialises"))?;
        Ok(w)
    }

    fn line(&mut self, bytes: &[u8]) -> Result<(), SyncError> {
        self.hash.update(bytes);
        self.hash.update(b"\n");
        self.out
            .write_all(bytes)
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|e| SyncError::io("cannot write the bundle", e))
    }

    /// Adds one change.
    pub fn push(&mut self, change: &Change) -> Result<(), SyncError> {
        self.written += 1;
        self.line(&serde_json::to_vec(change).expect("a change always serialises"))
    }

    /// Adds one change read from the log, writing its stored value as it is. The line is the
    /// one [`BundleWriter::push`] writes for the same change.
    pub fn push_ref(&mut self, c: &ChangeRef<'_>) -> Result<(), SyncError> {
        self.written += 1;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let string = |buf: &mut Vec<u8>, key: &str, s: &str| {
            buf.extend_from_slice(key.as_bytes());
            serde_json::to_writer(&mut *buf, s).expect("writing to memory cannot fail");
        };
        string(&mut buf, "{\"id\":", c.id);
        string(&mut buf, ",\"entity\":", c.entity);
        string(&mut buf, ",\"row\":", c.row);
        string(&mut buf, ",\"field\":", c.field);
        buf.extend_from_slice(b",\"value\":");
        buf.extend_from_slice(c.value.as_bytes());
        buf.extend_from_slice(b",\"hlc\":");
        buf.extend_from_slice(c.hlc.to_string().as_bytes());
        string(&mut buf, ",\"replica\":", c.replica);
        string(&mut buf, ",\"author\":", c.author);
        buf.extend_from_slice(b",\"supersedes\":[");
        for (i, s) in c.supersedes().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            serde_json::to_writer(&mut buf, s).expect("writing to memory cannot fail");
        }
        buf.extend_from_slice(b"]}");
        let result = self.line(&buf);
        self.buf = buf;
        result
    }

    /// Writes the trailer and hands back the output.
    pub fn finish(mut self) -> Result<W, SyncError> {
        assert_eq!(self.written, self.expected, "the header's count must match the changes written");
        let trailer = Trailer { end: FORMAT.to_owned(), count: self.written, sha256: hex(&self.hash.finalize()) };
        let bytes = serde_json::to_vec(&trailer).expect("a trailer always serialises");
        self.out
            .write_all(&bytes)
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|e| SyncError::io("cannot write the bundle", e))?;
        Ok(self.out)
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a bundle line by line, checking the header first and the count and checksum at
/// the end. A reader that returned `Ok(None)` has verified the whole bundle.
pub struct BundleReader<R: BufRead> {
    input: R,
    header: Header,
    hash: Sha256,
    read: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> BundleReader<R> {
    /// Reads and checks the header: format, format version and schema version.
    pub fn new(mut input: R, name: &str) -> Result<Self, SyncError> {
        let mut buf = Vec::new();
        read_line(&mut input, &mut buf)?;
        let not_bundle = || SyncError::NotABundle(name.to_owned());
        if buf.last() != Some(&b'\n') {
            return Err(if buf.starts_with(b"{\"format\":\"sluss-bundle\"") {
                SyncError::Damaged("it ends inside its header".to_owned())
            } else {
                not_bundle()
            });
        }
        let raw: serde_json::Value = serde_json::from_slice(&buf[..buf.len() - 1]).map_err(|_| not_bundle())?;
        if raw.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(not_bundle());
        }
        let version = raw.get("version").and_then(|v| v.as_u64()).ok_or_else(not_bundle)?;
        if version > u64::from(FORMAT_VERSION) {
            return Err(SyncError::NewerFormat {
                found: version.min(u64::from(u32::MAX)) as u32,
                known: FORMAT_VERSION,
            });
        }
        let header: Header =
            serde_json::from_value(raw).map_err(|e| SyncError::Damaged(format!("unreadable header: {e}")))?;
        let known = crate::store::SCHEMA_VERSION;
        if header.schema > known {
            return Err(SyncError::NewerSchema { found: header.schema, known });
        }
        let mut hash = Sha256::new();
        hash.update(&buf);
        Ok(BundleReader { input, header, hash, read: 0, buf, done: false })
    }

    /// The header, checked.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The next change, or `None` after the trailer was read and the count, checksum and end
    /// of file all check out.
    pub fn next_change(&mut self) -> Result<Option<Change>, SyncError> {
        let Some(line) = self.next_line()? else {
            return Ok(None);
        };
        let change: Change = serde_json::from_slice(line)
            .map_err(|e| SyncError::Damaged(format!("change {} is unreadable: {}", self.read, e.classify_name())))?;
        Ok(Some(change))
    }

    /// The next change line, unparsed (counted and hashed), or `None` as [`Self::next_change`].
    pub fn next_line(&mut self) -> Result<Option<&[u8]>, SyncError> {
        if self.done {
            return Ok(None);
        }
        read_line(&mut self.input, &mut self.buf)?;
        if self.buf.last() != Some(&b'\n') {
            return Err(SyncError::Damaged("it ends before its checksum".to_owned()));
        }
        let line = &self.buf[..self.buf.len() - 1];
        if line.starts_with(b"{\"end\":") {
            let trailer: Trailer =
                serde_json::from_slice(line).map_err(|_| SyncError::Damaged("unreadable checksum line".to_owned()))?;
            let sum = hex(&std::mem::take(&mut self.hash).finalize());
            if trailer.end != FORMAT || trailer.sha256 != sum {
                return Err(SyncError::Damaged("checksum does not match".to_owned()));
            }
            if trailer.count != self.read || self.read != self.header.count {
                return Err(SyncError::Damaged("change count does not match".to_owned()));
            }
            let mut rest = [0u8; 1];
            let extra = self.input.read(&mut rest).map_err(|e| SyncError::Damaged(e.to_string()))?;
            if extra != 0 {
                return Err(SyncError::Damaged("data after the checksum".to_owned()));
            }
            self.done = true;
            return Ok(None);
        }
        self.hash.update(&self.buf);
        self.read += 1;
        if self.read > self.header.count {
            return Err(SyncError::Damaged("more changes than its header says".to_owned()));
        }
        Ok(Some(&self.buf[..self.buf.len() - 1]))
    }
}

/// Names a serde_json error class without quoting the input.
trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "wrong fields",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}

fn read_line<R: BufRead>(input: &mut R, buf: &mut Vec<u8>) -> Result<(), SyncError> {
    buf.clear();
    input.by_ref().take(MAX_LINE).read_until(b'\n', buf).map_err(|e| SyncError::Damaged(e.to_string()))?;
    if buf.len() as u64 >= MAX_LINE && buf.last() != Some(&b'\n') {
        return Err(SyncError::Damaged("a line is too long".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(count: u64) -> Header {
        Header {
            format: FORMAT.to_owned(),
            version: FORMAT_VERSION,
            schema: crate::store::SCHEMA_VERSION,
            source: "r1".to_owned(),
            created_at: "2026-01-01T00:00:00Z".to_owned(),
            count,
            knowledge: VersionVector::default(),
            since: VersionVector::default(),
            partial: false,
            for_org: None,
        }
    }

    fn change(n: u64) -> Change {
        Change {
            id: format!("c{n}"),
            entity: "client".to_owned(),
            row: "row".to_owned(),
            field: "alias".to_owned(),
            value: serde_json::json!(format!("v{n}")),
            hlc: n,
            replica: "r1".to_owned(),
            author: "a".to_owned(),
            supersedes: vec![],
        }
    }

    fn bundle(n: u64) -> Vec<u8> {
        let mut w = BundleWriter::new(Vec::new(), &header(n)).unwrap();
        for i in 0..n {
            w.push(&change(i)).unwrap();
        }
        w.finish().unwrap()
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Change>, SyncError> {
        let mut r = BundleReader::new(bytes, "test")?;
        let mut out = Vec::new();
        while let Some(c) = r.next_change()? {
            out.push(c);
        }
        Ok(out)
    }

    #[test]
    fn a_bundle_reads_back_exactly_as_written() {
        let got = read_all(&bundle(3)).unwrap();
        assert_eq!(got, vec![change(0), change(1), change(2)]);
    }

    #[test]
    fn a_change_read_from_the_log_is_written_as_the_same_line_and_reads_back() {
        let mut owned = change(7);
        owned.field = "*".to_owned();
        owned.value = serde_json::json!({"alias": "Ö \"citat\"\n", "n": 3, "x": null});
        owned.supersedes = vec!["s1".to_owned(), "s2".to_owned(), "s3".to_owned()];
        let value = owned.value.to_string();
        let borrowed = ChangeRef {
            id: &owned.id,
            entity: &owned.entity,
            row: &owned.row,
            field: &owned.field,
            value: &value,
            hlc: owned.hlc,
            replica: &owned.replica,
            author: &owned.author,
            supersedes: Some("s1"),
            also_supersedes: Some("s2,s3"),
        };
        let mut a = BundleWriter::new(Vec::new(), &header(1)).unwrap();
        a.push(&owned).unwrap();
        let mut b = BundleWriter::new(Vec::new(), &header(1)).unwrap();
        b.push_ref(&borrowed).unwrap();
        let (a, b) = (a.finish().unwrap(), b.finish().unwrap());
        assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b.clone()).unwrap());
        assert_eq!(read_all(&b).unwrap(), vec![owned]);
    }

    #[test]
    fn every_truncation_is_refused() {
        let b = bundle(3);
        for cut in 0..b.len() {
            assert!(read_all(&b[..cut]).is_err(), "cut at {cut} was accepted");
        }
    }

    #[test]
    fn a_flipped_byte_is_refused() {
        let b = bundle(3);
        for at in (0..b.len()).step_by(7) {
            let mut bad = b.clone();
            bad[at] ^= 0x01;
            assert!(read_all(&bad).is_err(), "flip at {at} was accepted");
        }
    }

    #[test]
    fn a_newer_format_or_schema_is_refused_by_name() {
        let mut h = header(0);
        h.version = FORMAT_VERSION + 1;
        let line = format!("{}\n", serde_json::to_string(&h).unwrap());
        assert!(matches!(read_all(line.as_bytes()), Err(SyncError::NewerFormat { .. })));
        let mut h = header(0);
        h.schema += 1;
        let line = format!("{}\n", serde_json::to_string(&h).unwrap());
        assert!(matches!(read_all(line.as_bytes()), Err(SyncError::NewerSchema { .. })));
        assert!(matches!(read_all(b"hello\n"), Err(SyncError::NotABundle(_))));
    }
}
