//! The store's compact encoding of objects: a self-describing binary form of what serde
//! sees, for objects that have gone cold.
//!
//! k8s-openapi objects take several times their JSON size in memory, because every
//! optional field is laid out inline: a `PersistentVolume` is 3.5 KB before any string
//! and about 0.6 KB in this form. The store keeps cold objects of such kinds encoded (see
//! [`crate::sim::stored`] for which, and why not all).
//!
//! The format mirrors the serde data model the way JSON does, so anything that round-trips
//! through the API server's JSON round-trips here: `None` and unit are one null tag and
//! `Some(x)` is `x`; newtype structs (`Time`, `Quantity`) are their content; structs and
//! maps are key/value pairs up to an end tag; sequences likewise. It differs from JSON in
//! what makes it fast and small: lengths instead of quoting and escaping, integers as
//! varints, floats as their bits, no whitespace. Enum variants other than unit variants
//! are refused at encoding time (no stored kind has any), so whatever encodes decodes.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::ser::{self, Serialize};
use std::fmt;

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const UINT: u8 = 4;
const FLOAT: u8 = 5;
const STR: u8 = 6;
const BYTES: u8 = 7;
const SEQ: u8 = 8;
const MAP: u8 = 9;
const END: u8 = 10;

/// Why a value could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("compact encoding: {0}")]
pub struct CompactError(String);

impl ser::Error for CompactError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CompactError(msg.to_string())
    }
}

impl de::Error for CompactError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CompactError(msg.to_string())
    }
}

/// Encodes a value.
///
/// # Errors
/// The value's own serialisation error, or an enum variant with content.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Box<[u8]>, CompactError> {
    let mut encoder = Encoder {
        out: Vec::with_capacity(1024),
    };
    value.serialize(&mut encoder)?;
    Ok(encoder.out.into_boxed_slice())
}

/// Decodes a value encoded by [`encode`].
///
/// # Errors
/// Bytes that are not an encoding of a `T`.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CompactError> {
    let mut decoder = Decoder { input: bytes };
    let value = T::deserialize(&mut decoder)?;
    if decoder.input.is_empty() {
        Ok(value)
    } else {
        Err(CompactError(format!(
            "{} bytes left over after the value",
            decoder.input.len()
        )))
    }
}

struct Encoder {
    out: Vec<u8>,
}

impl Encoder {
    fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.out.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.out.push(n as u8);
    }

    fn int(&mut self, n: i64) {
        self.out.push(INT);
        self.varint(((n << 1) ^ (n >> 63)) as u64);
    }

    fn uint(&mut self, n: u64) {
        self.out.push(UINT);
        self.varint(n);
    }

    fn bytes(&mut self, tag: u8, bytes: &[u8]) {
        self.out.push(tag);
        self.varint(bytes.len() as u64);
        self.out.extend_from_slice(bytes);
    }

    fn unsupported(what: &str) -> CompactError {
        CompactError(format!("{what} cannot be stored compactly"))
    }
}

impl ser::Serializer for &mut Encoder {
    type Ok = ();
    type Error = CompactError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = ser::Impossible<(), CompactError>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = ser::Impossible<(), CompactError>;

    fn serialize_bool(self, v: bool) -> Result<(), CompactError> {
        self.out.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), CompactError> {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<(), CompactError> {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<(), CompactError> {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<(), CompactError> {
        self.int(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), CompactError> {
        self.uint(v.into());
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<(), CompactError> {
        self.uint(v.into());
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), CompactError> {
        self.uint(v.into());
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), CompactError> {
        self.uint(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), CompactError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), CompactError> {
        self.out.push(FLOAT);
        self.out.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), CompactError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), CompactError> {
        self.bytes(STR, v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), CompactError> {
        self.bytes(BYTES, v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), CompactError> {
        self.out.push(NULL);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), CompactError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), CompactError> {
        self.out.push(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), CompactError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), CompactError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), CompactError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), CompactError> {
        Err(Encoder::unsupported("a newtype enum variant"))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, CompactError> {
        self.out.push(SEQ);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, CompactError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, CompactError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, CompactError> {
        Err(Encoder::unsupported("a tuple enum variant"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self, CompactError> {
        self.out.push(MAP);
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self, CompactError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, CompactError> {
        Err(Encoder::unsupported("a struct enum variant"))
    }
}

/// Sequences, tuples and tuple structs are all elements up to an END tag.
macro_rules! elements_up_to_end {
    ($($trait:ident :: $element:ident),*) => {$(
        impl ser::$trait for &mut Encoder {
            type Ok = ();
            type Error = CompactError;
            fn $element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CompactError> {
                value.serialize(&mut **self)
            }
            fn end(self) -> Result<(), CompactError> {
                self.out.push(END);
                Ok(())
            }
        }
    )*};
}

elements_up_to_end!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeMap for &mut Encoder {
    type Ok = ();
    type Error = CompactError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), CompactError> {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CompactError> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), CompactError> {
        self.out.push(END);
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Encoder {
    type Ok = ();
    type Error = CompactError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), CompactError> {
        self.bytes(STR, key.as_bytes());
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), CompactError> {
        self.out.push(END);
        Ok(())
    }
}

struct Decoder<'de> {
    input: &'de [u8],
}

impl<'de> Decoder<'de> {
    fn truncated() -> CompactError {
        CompactError("the encoding ends early".into())
    }

    fn peek(&self) -> Result<u8, CompactError> {
        self.input.first().copied().ok_or_else(Decoder::truncated)
    }

    fn byte(&mut self) -> Result<u8, CompactError> {
        let (&first, rest) = self.input.split_first().ok_or_else(Decoder::truncated)?;
        self.input = rest;
        Ok(first)
    }

    fn varint(&mut self) -> Result<u64, CompactError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(CompactError("a varint longer than 64 bits".into()))
    }

    fn take(&mut self, len: u64) -> Result<&'de [u8], CompactError> {
        let len = usize::try_from(len).map_err(|_| Decoder::truncated())?;
        if len > self.input.len() {
            return Err(Decoder::truncated());
        }
        let (taken, rest) = self.input.split_at(len);
        self.input = rest;
        Ok(taken)
    }

    fn str(&mut self) -> Result<&'de str, CompactError> {
        let len = self.varint()?;
        std::str::from_utf8(self.take(len)?).map_err(|e| CompactError(e.to_string()))
    }

    /// Consumes an END tag if one is next.
    fn at_end(&mut self) -> Result<bool, CompactError> {
        if self.peek()? == END {
            self.input = &self.input[1..];
            Ok(true)
        } else {
            Ok(false)
        }
    }
}

impl<'de> de::Deserializer<'de> for &mut Decoder<'de> {
    type Error = CompactError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CompactError> {
        match self.byte()? {
            NULL => visitor.visit_unit(),
            FALSE => visitor.visit_bool(false),
            TRUE => visitor.visit_bool(true),
            INT => {
                let n = self.varint()?;
                visitor.visit_i64(((n >> 1) as i64) ^ -((n & 1) as i64))
            }
            UINT => visitor.visit_u64(self.varint()?),
            FLOAT => {
                let bits = self.take(8)?;
                let mut array = [0; 8];
                array.copy_from_slice(bits);
                visitor.visit_f64(f64::from_le_bytes(array))
            }
            STR => visitor.visit_borrowed_str(self.str()?),
            BYTES => {
                let len = self.varint()?;
                visitor.visit_borrowed_bytes(self.take(len)?)
            }
            SEQ => visitor.visit_seq(Elements { decoder: self }),
            MAP => visitor.visit_map(Elements { decoder: self }),
            tag => Err(CompactError(format!("unknown tag {tag}"))),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CompactError> {
        if self.peek()? == NULL {
            self.input = &self.input[1..];
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, CompactError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, CompactError> {
        match self.byte()? {
            STR => visitor.visit_enum(self.str()?.into_deserializer()),
            tag => Err(CompactError(format!(
                "an enum must be a unit variant's name, found tag {tag}"
            ))),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The elements of a sequence or the entries of a map, up to the END tag.
struct Elements<'a, 'de> {
    decoder: &'a mut Decoder<'de>,
}

impl<'de> SeqAccess<'de> for Elements<'_, 'de> {
    type Error = CompactError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, CompactError> {
        if self.decoder.at_end()? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.decoder).map(Some)
    }
}

impl<'de> MapAccess<'de> for Elements<'_, 'de> {
    type Error = CompactError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, CompactError> {
        if self.decoder.at_end()? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.decoder).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, CompactError> {
        seed.deserialize(&mut *self.decoder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::object::{Kind, Object};
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    #[test]
    fn a_kubelet_written_pod_round_trips_and_is_smaller_than_its_json() {
        let value = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-0", "namespace": "default", "uid": "u-1",
                "labels": {"app": "nginx", "apps.kubernetes.io/pod-index": "0"},
                "annotations": {"note": "ünïcode \"quoted\""},
                "creationTimestamp": "2026-12-01T10:00:00Z", "generation": 1},
            "spec": {"containers": [{"name": "nginx", "image": "nginx",
                "ports": [{"containerPort": 80, "name": "web", "protocol": "TCP"}],
                "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
                "livenessProbe": {"httpGet": {"path": "/", "port": "web"}},
                "readinessProbe": {"tcpSocket": {"port": 80}}}],
                "terminationGracePeriodSeconds": 30, "hostname": "web-0",
                "securityContext": {"runAsUser": -1},
                "volumes": [{"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1",
                "conditions": [{"type": "Ready", "status": "True",
                    "lastTransitionTime": "2026-12-01T10:00:01Z"}],
                "containerStatuses": [{"name": "nginx", "ready": true, "restartCount": 0,
                    "image": "nginx", "imageID": "", "started": true,
                    "state": {"running": {"startedAt": "2026-12-01T10:00:01Z"}}}]}
        });
        let pod: Pod = serde_json::from_value(value.clone()).unwrap();
        let bytes = encode(&pod).unwrap();
        assert_eq!(decode::<Pod>(&bytes).unwrap(), pod);
        assert!(bytes.len() < value.to_string().len());
    }

    #[test]
    fn free_form_json_round_trips() {
        let value = json!({"a": [1, -2, 3.5, null, true, false, "x", {"b": {}}, []],
            "big": u64::MAX, "small": i64::MIN});
        let bytes = encode(&value).unwrap();
        assert_eq!(decode::<serde_json::Value>(&bytes).unwrap(), value);
    }

    #[test]
    fn every_stored_kind_round_trips() {
        let samples = [
            (Kind::Namespace, json!({"metadata": {"name": "a"}})),
            (
                Kind::PersistentVolume,
                json!({"metadata": {"name": "pv"}, "spec": {"capacity": {"storage": "1Gi"},
                "hostPath": {"path": "/x"}, "claimRef": {"name": "c"}}}),
            ),
            (
                Kind::StatefulSet,
                json!({"metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"a": "b"}},
                "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": []}},
                "updateStrategy": {"rollingUpdate": {"maxUnavailable": "50%", "partition": 2}}}}),
            ),
        ];
        for (kind, mut value) in samples {
            value["apiVersion"] = kind.api_version().into();
            value["kind"] = kind.as_str().into();
            let object = Object::from_json(kind, value).unwrap();
            let bytes = object.encode_compact().unwrap();
            assert_eq!(Object::decode_compact(kind, &bytes).unwrap(), object);
        }
    }

    #[test]
    fn truncated_or_corrupt_bytes_are_errors_not_panics() {
        let pod = Pod::default();
        let bytes = encode(&pod).unwrap();
        for len in 0..bytes.len() {
            assert!(decode::<Pod>(&bytes[..len]).is_err());
        }
        assert!(decode::<Pod>(&[MAP, 200]).is_err());
        assert!(decode::<Pod>(&[STR, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn enum_variants_with_content_are_refused_when_encoding() {
        #[derive(serde::Serialize)]
        enum Shape {
            Circle(u32),
        }
        assert!(encode(&Shape::Circle(1)).is_err());
    }
}
