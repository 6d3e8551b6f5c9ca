//! Signal generation and analysis on 16-bit mono PCM: a sine generator, the
//! Goertzel filter and a dominant-frequency search built on it.

use std::f64::consts::TAU;

/// A continuous sine tone, frame after frame (no click between frames).
#[derive(Clone, Debug)]
pub struct Sine {
    phase: f64,
    step: f64,
    amplitude: f64,
}

impl Sine {
    /// A tone of `freq` Hz at `sample_rate`, peaking at `amplitude` (0..=1 of
    /// full scale).
    pub fn new(freq: f64, sample_rate: u32, amplitude: f64) -> Self {
        Self {
            phase: 0.0,
            step: TAU * freq / f64::from(sample_rate),
            amplitude: amplitude.clamp(0.0, 1.0) * f64::from(i16::MAX),
        }
    }

    /// The next `samples` samples.
    pub fn frame(&mut self, samples: usize) -> Vec<i16> {
        (0..samples)
            .map(|_| {
                let value = self.phase.sin() * self.amplitude;
                self.phase = (self.phase + self.step) % TAU;
                value as i16
            })
            .collect()
    }
}

/// The power of `freq` in `samples` (Goertzel's algorithm), normalised so
/// that a full-scale sine at `freq` gives about 1.0.
pub fn goertzel(samples: &[i16], freq: f64, sample_rate: u32) -> f64 {
    let n = samples.len();
    if n == 0 {
        return 0.0;
    }
    let coeff = 2.0 * (TAU * freq / f64::from(sample_rate)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &sample in samples {
        let s0 = f64::from(sample) / f64::from(i16::MAX) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    // A full-scale sine yields (n/2)^2.
    power / (n as f64 / 2.0).powi(2)
}

/// Root-mean-square level in dB relative to full scale (a full-scale sine is
/// about -3 dBFS); silence is -120.
pub fn level_dbfs(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return -120.0;
    }
    let mean_square = samples
        .iter()
        .map(|&s| (f64::from(s) / f64::from(i16::MAX)).powi(2))
        .sum::<f64>()
        / samples.len() as f64;
    if mean_square <= 1e-12 {
        -120.0
    } else {
        (10.0 * mean_square.log10()).max(-120.0)
    }
}

/// The frequency with the most power in `samples`, searched from `low` to
/// `high` Hz in steps of `step` Hz and refined by parabolic interpolation
/// between neighbouring bins.
pub fn dominant_frequency(
    samples: &[i16],
    sample_rate: u32,
    low: f64,
    high: f64,
    step: f64,
) -> f64 {
    let bins: Vec<(f64, f64)> = std::iter::successors(Some(low), |f| Some(f + step))
        .take_while(|f| *f <= high)
        .map(|f| (f, goertzel(samples, f, sample_rate)))
        .collect();
    let Some((best, _)) = bins
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.1.total_cmp(&b.1.1))
    else {
        return 0.0;
    };
    let peak = |i: usize| bins.get(i).map(|b| b.1);
    let (Some(left), Some(centre), Some(right)) = (
        best.checked_sub(1).and_then(peak),
        peak(best),
        peak(best + 1),
    ) else {
        return bins.get(best).map_or(0.0, |b| b.0);
    };
    let denominator = left - 2.0 * centre + right;
    let offset = if denominator.abs() < f64::EPSILON {
        0.0
    } else {
        (0.5 * (left - right) / denominator).clamp(-0.5, 0.5)
    };
    bins.get(best).map_or(0.0, |b| b.0) + offset * step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_frequency_of_a_sine() {
        for freq in [300.0, 440.0, 1000.0, 1633.0, 3000.0] {
            let samples = Sine::new(freq, 16_000, 0.5).frame(3200);
            let found = dominant_frequency(&samples, 16_000, 50.0, 4000.0, 10.0);
            assert!((found - freq).abs() < 3.0, "{freq} Hz found as {found}");
        }
    }

    #[test]
    fn goertzel_separates_tone_from_other_bins() {
        let samples = Sine::new(1000.0, 8000, 1.0).frame(800);
        let on = goertzel(&samples, 1000.0, 8000);
        let off = goertzel(&samples, 1200.0, 8000);
        assert!((on - 1.0).abs() < 0.05, "full-scale power {on}");
        assert!(off < 0.01, "off-bin power {off}");
    }

    #[test]
    fn level_of_a_half_scale_sine_and_of_silence() {
        let samples = Sine::new(440.0, 48_000, 0.5).frame(4800);
        let level = level_dbfs(&samples);
        assert!((level - -9.03).abs() < 0.2, "level {level}");
        assert_eq!(level_dbfs(&[0; 480]), -120.0);
        assert_eq!(level_dbfs(&[]), -120.0);
    }
}
