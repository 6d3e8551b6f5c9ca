//! Opus (RFC 6716) through libopus: a mono encoder and decoder with safe
//! methods.
//!
//! This is the only module of the crate with `unsafe` code: the calls into
//! libopus through `audiopus_sys`. Each wrapper owns its libopus state
//! exclusively (created in `new`, destroyed in `drop`, never shared or
//! aliased), checks every length it passes to C, and turns libopus error
//! codes into [`OpusError`].
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]

use std::os::raw::c_int;
use std::ptr::NonNull;

use audiopus_sys as ffi;

/// Largest Opus packet we produce (RFC 6716 §3.4 allows 1275 bytes per frame).
const MAX_PACKET: usize = 1275;

/// A libopus failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpusError {
    /// libopus returned an error code (see `opus_defines.h`).
    #[error("libopus error {0}")]
    Code(i32),
    /// A buffer or frame length that libopus cannot take.
    #[error("bad frame length {0}")]
    Length(usize),
}

fn check(code: c_int) -> Result<usize, OpusError> {
    usize::try_from(code).map_err(|_| OpusError::Code(code))
}

/// A mono Opus encoder for VoIP (`OPUS_APPLICATION_VOIP`).
pub struct Encoder {
    state: NonNull<ffi::OpusEncoder>,
    sample_rate: u32,
}

// SAFETY: libopus encoder state has no thread affinity and no interior
// sharing; the wrapper owns it exclusively and every method takes `&mut self`,
// so moving it to another thread is sound.
unsafe impl Send for Encoder {}

impl Encoder {
    /// An encoder for `sample_rate` (8, 12, 16, 24 or 48 kHz) mono input.
    pub fn new(sample_rate: u32) -> Result<Self, OpusError> {
        let rate = i32::try_from(sample_rate).map_err(|_| OpusError::Code(ffi::OPUS_BAD_ARG))?;
        let mut error: c_int = 0;
        // SAFETY: `error` is a valid, writable c_int for the call; the other
        // arguments are plain values that libopus validates.
        let raw =
            unsafe { ffi::opus_encoder_create(rate, 1, ffi::OPUS_APPLICATION_VOIP, &mut error) };
        if error != ffi::OPUS_OK {
            return Err(OpusError::Code(error));
        }
        let state = NonNull::new(raw).ok_or(OpusError::Code(ffi::OPUS_ALLOC_FAIL))?;
        Ok(Self { state, sample_rate })
    }

    /// Encodes one frame of `pcm` (2.5-60 ms at the encoder's rate) into an
    /// Opus packet.
    pub fn encode(&mut self, pcm: &[i16]) -> Result<Vec<u8>, OpusError> {
        if !valid_frame(pcm.len(), self.sample_rate) {
            return Err(OpusError::Length(pcm.len()));
        }
        let frame = c_int::try_from(pcm.len()).map_err(|_| OpusError::Length(pcm.len()))?;
        let mut out = vec![0u8; MAX_PACKET];
        // SAFETY: `state` is a live encoder owned by `self` (exclusive through
        // `&mut self`); `pcm` holds exactly `frame` mono samples; `out` is
        // writable for `MAX_PACKET` bytes, the limit passed.
        let written = unsafe {
            ffi::opus_encode(
                self.state.as_ptr(),
                pcm.as_ptr(),
                frame,
                out.as_mut_ptr(),
                MAX_PACKET as i32,
            )
        };
        out.truncate(check(written)?);
        Ok(out)
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: `state` came from `opus_encoder_create` and is destroyed
        // exactly once, here.
        unsafe { ffi::opus_encoder_destroy(self.state.as_ptr()) }
    }
}

/// A mono Opus decoder (stereo streams are downmixed by libopus).
pub struct Decoder {
    state: NonNull<ffi::OpusDecoder>,
    sample_rate: u32,
}

// SAFETY: as for `Encoder`: exclusively owned state without thread affinity.
unsafe impl Send for Decoder {}

impl Decoder {
    /// A decoder producing mono samples at `sample_rate` (8, 12, 16, 24 or 48
    /// kHz) whatever rate the packets were encoded at.
    pub fn new(sample_rate: u32) -> Result<Self, OpusError> {
        let rate = i32::try_from(sample_rate).map_err(|_| OpusError::Code(ffi::OPUS_BAD_ARG))?;
        let mut error: c_int = 0;
        // SAFETY: `error` is a valid, writable c_int for the call.
        let raw = unsafe { ffi::opus_decoder_create(rate, 1, &mut error) };
        if error != ffi::OPUS_OK {
            return Err(OpusError::Code(error));
        }
        let state = NonNull::new(raw).ok_or(OpusError::Code(ffi::OPUS_ALLOC_FAIL))?;
        Ok(Self { state, sample_rate })
    }

    /// Decodes one Opus packet into mono samples (at most 120 ms).
    pub fn decode(&mut self, packet: &[u8]) -> Result<Vec<i16>, OpusError> {
        let len = i32::try_from(packet.len()).map_err(|_| OpusError::Length(packet.len()))?;
        // 120 ms, the longest an Opus packet can carry (RFC 6716 §3.2.5).
        let capacity = self.sample_rate as usize * 120 / 1000;
        let mut pcm = vec![0i16; capacity];
        let frame = c_int::try_from(capacity).map_err(|_| OpusError::Length(capacity))?;
        // SAFETY: `state` is a live decoder owned by `self`; `packet` is
        // readable for `len` bytes; `pcm` is writable for `frame` mono samples,
        // the limit passed.
        let decoded = unsafe {
            ffi::opus_decode(
                self.state.as_ptr(),
                packet.as_ptr(),
                len,
                pcm.as_mut_ptr(),
                frame,
                0,
            )
        };
        pcm.truncate(check(decoded)?);
        Ok(pcm)
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: `state` came from `opus_decoder_create` and is destroyed
        // exactly once, here.
        unsafe { ffi::opus_decoder_destroy(self.state.as_ptr()) }
    }
}

/// Opus frames last 2.5, 5, 10, 20, 40 or 60 ms (RFC 6716 §2.1.4).
fn valid_frame(samples: usize, sample_rate: u32) -> bool {
    let rate = sample_rate as usize;
    [
        rate / 400,
        rate / 200,
        rate / 100,
        rate / 50,
        rate / 25,
        rate * 3 / 50,
    ]
    .contains(&samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_survives_an_encode_decode_round_trip() {
        let mut encoder = Encoder::new(48_000).unwrap();
        let mut decoder = Decoder::new(48_000).unwrap();
        let mut energy = 0.0f64;
        for frame in 0..10 {
            let pcm: Vec<i16> = (0..960)
                .map(|i| {
                    let t = (frame * 960 + i) as f64 / 48_000.0;
                    ((t * 440.0 * std::f64::consts::TAU).sin() * 8000.0) as i16
                })
                .collect();
            let packet = encoder.encode(&pcm).unwrap();
            assert!(!packet.is_empty() && packet.len() < MAX_PACKET);
            let out = decoder.decode(&packet).unwrap();
            assert_eq!(out.len(), 960, "20 ms at 48 kHz");
            energy += out.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>();
        }
        assert!(energy > 1e9, "decoded audio is not silent: {energy}");
    }

    #[test]
    fn bad_input_is_an_error_not_a_crash() {
        let mut encoder = Encoder::new(48_000).unwrap();
        assert_eq!(encoder.encode(&[0; 100]), Err(OpusError::Length(100)));
        let mut decoder = Decoder::new(16_000).unwrap();
        // A TOC byte announcing a code-3 packet with no frame count.
        assert!(decoder.decode(&[0x03]).is_err());
        assert!(Encoder::new(44_100).is_err());
    }
}
