//! Names and ordinals: how StatefulSet pods, claims and revisions are named, and the
//! well-known labels the controller writes (ID-01, ID-08, PVC-01, LBL-01..03).

use std::borrow::Cow;

/// Label carrying the pod's own name (LBL-01).
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// Label carrying the pod's ordinal (LBL-02).
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
/// Label carrying the full ControllerRevision name a pod was built from (LBL-03).
pub const CONTROLLER_REVISION_HASH_LABEL: &str = "controller-revision-hash";
/// Label on a ControllerRevision carrying its hash (REV-01).
pub const REVISION_HASH_LABEL: &str = "controller.kubernetes.io/hash";

/// The name of the pod with `ordinal` in set `set` (ID-01): no zero padding.
// upstream: stateful_set_utils.go getPodName
pub fn pod_name(set: &str, ordinal: i32) -> String {
    format!("{set}-{ordinal}")
}

/// The claim name for template `template` and ordinal (PVC-01).
// upstream: stateful_set_utils.go getPersistentVolumeClaimName
pub fn claim_name(template: &str, set: &str, ordinal: i32) -> String {
    format!("{template}-{set}-{ordinal}")
}

/// Splits `name` into parent and ordinal as `(.*)-([0-9]+)$` with an int32 ordinal (ID-08).
///
/// Returns `None` when the name does not parse or the ordinal overflows int32.
// upstream: stateful_set_utils.go getParentNameAndOrdinal
pub fn parent_and_ordinal(name: &str) -> Option<(&str, i32)> {
    let dash = name.rfind('-')?;
    let (parent, digits) = (&name[..dash], &name[dash + 1..]);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i32>().ok().map(|ordinal| (parent, ordinal))
}

/// The parent name of `name` when it matches `(.*)-([0-9]+)$`, even when the digits
/// overflow int32 (upstream still reports the parent then, with ordinal -1).
// upstream: stateful_set_utils.go getParentNameAndOrdinal (parent part)
pub fn parent_of(name: &str) -> Option<&str> {
    let dash = name.rfind('-')?;
    let digits = &name[dash + 1..];
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| &name[..dash])
}

/// The ordinal of a pod name, if it has one.
// upstream: stateful_set_utils.go getOrdinal
pub fn ordinal_of(name: &str) -> Option<i32> {
    parent_and_ordinal(name).map(|(_, o)| o)
}

/// Name of a ControllerRevision for `parent` with `hash`, truncating the prefix at 223 bytes.
// upstream: controller_history.go ControllerRevisionName
pub fn controller_revision_name(parent: &str, hash: &str) -> String {
    let prefix: Cow<'_, str> = if parent.len() > 223 {
        Cow::Owned(parent.chars().take(223).collect())
    } else {
        Cow::Borrowed(parent)
    };
    format!("{prefix}-{hash}")
}

/// The alphabet apimachinery's `rand.SafeEncodeString` maps bytes into (no vowels, no 0/1/3).
const SAFE_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// apimachinery `rand.SafeEncodeString`: each byte mapped into a vowel-free alphabet.
pub fn safe_encode_string(s: &str) -> String {
    s.bytes()
        .map(|b| SAFE_ALPHABET[b as usize % SAFE_ALPHABET.len()] as char)
        .collect()
}

/// 32-bit FNV-1 (not FNV-1a), as Go's `hash/fnv.New32`.
pub fn fnv1_32(parts: &[&[u8]]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for part in parts {
        for &b in *part {
            hash = hash.wrapping_mul(0x0100_0193);
            hash ^= u32::from(b);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_01_pod_names_have_no_padding() {
        assert_eq!(pod_name("web", 0), "web-0");
        assert_eq!(pod_name("web", 10), "web-10");
    }

    #[test]
    fn id_08_names_parse_to_parent_and_ordinal() {
        assert_eq!(parent_and_ordinal("web-0"), Some(("web", 0)));
        assert_eq!(parent_and_ordinal("my-web-12"), Some(("my-web", 12)));
        assert_eq!(parent_and_ordinal("web-007"), Some(("web", 7)));
        assert_eq!(parent_and_ordinal("web-x"), None);
        assert_eq!(parent_and_ordinal("web"), None);
        assert_eq!(parent_and_ordinal("web-"), None);
        assert_eq!(parent_and_ordinal("web-2147483648"), None, "int32 overflow");
        assert_eq!(
            parent_and_ordinal("web-2147483647"),
            Some(("web", i32::MAX))
        );
    }

    #[test]
    fn pvc_01_claim_names() {
        assert_eq!(claim_name("www", "web", 1), "www-web-1");
    }

    #[test]
    fn fnv1_matches_go_reference_values() {
        // Go: fnv.New32() over "" is the offset basis; over "a" is 0x050c5d7e.
        assert_eq!(fnv1_32(&[]), 0x811c_9dc5);
        assert_eq!(fnv1_32(&[b"a"]), 0x050c_5d7e);
        assert_eq!(fnv1_32(&[b"fo", b"obar"]), fnv1_32(&[b"foobar"]));
    }

    #[test]
    fn safe_encoding_uses_the_vowel_free_alphabet() {
        // "0" is byte 48, 48 % 27 = 21 -> "4".
        assert_eq!(safe_encode_string("0"), "4");
        assert!(
            safe_encode_string("1234567890")
                .bytes()
                .all(|b| SAFE_ALPHABET.contains(&b))
        );
    }
}
