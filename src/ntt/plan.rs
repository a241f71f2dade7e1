//! An NTT as a list of steps, decided once from the shape and executed by the cpu or the gpu
//! executor alike: the emulator and a GPU run exactly the schedule the CPU path is tested on.

use super::{Direction, Order};

/// One pass over the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<F> {
    /// Row r (of 2^log_n) times scale · shift^k; k is r, or bitrev(r) when `bitrev_rows` (rows
    /// stored bit-reversed): a coset shift and/or 1/n.
    Scale { log_n: u32, scale: F, shift: F, bitrev_rows: bool },
    /// The LDE's copy from 2^log_src coefficients c stored bit-reversed to 2^log_dst rows: row
    /// m·2^log_src + i = scale · (shift · ω^bitrev(m))^i · c[i], ω of order 2^log_dst, bitrev(m)
    /// over log_dst - log_src bits. That is the zero padding and the forward DIF's first
    /// log_dst - log_src stages on it (on zero padding those stages only multiply copies), so the
    /// DIF that follows starts at stage log_src - 1.
    Expand { log_src: u32, log_dst: u32, scale: F, shift: F },
    /// Decimation-in-frequency stage spanning 2^(log_half+1) rows, of a size-2^log_n transform.
    Dif { log_n: u32, log_half: u32, inverse: bool },
    /// Decimation-in-time stage spanning 2^(log_half+1) rows, of a size-2^log_n transform.
    Dit { log_n: u32, log_half: u32, inverse: bool },
    /// Row bit-reversal permutation over log_n bits.
    Bitrev { log_n: u32 },
}

/// What executors run: consecutive butterfly stages of one transform merged into a single
/// `Stages` pass (so an executor can block them for cache or shared memory), other steps as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass<F> {
    Step(Step<F>),
    /// Stages lo..=hi of a size-2^log_n transform: DIF from hi down, DIT from lo up.
    Stages {
        log_n: u32,
        lo: u32,
        hi: u32,
        inverse: bool,
        dif: bool,
    },
}

/// Merges runs of butterfly stages; the order of work is unchanged.
pub fn passes<F: Copy>(steps: &[Step<F>]) -> Vec<Pass<F>> {
    let mut out: Vec<Pass<F>> = Vec::new();
    for &step in steps {
        let (log_n, h, inverse, dif) = match step {
            Step::Dif { log_n, log_half, inverse } => (log_n, log_half, inverse, true),
            Step::Dit { log_n, log_half, inverse } => (log_n, log_half, inverse, false),
            other => {
                out.push(Pass::Step(other));
                continue;
            }
        };
        match out.last_mut() {
            Some(Pass::Stages { log_n: n2, lo, hi, inverse: i2, dif: d2 })
                if *n2 == log_n && *i2 == inverse && *d2 == dif && (if dif { h + 1 == *lo } else { h == *hi + 1 }) =>
            {
                if dif {
                    *lo = h
                } else {
                    *hi = h
                }
            }
            _ => out.push(Pass::Stages { log_n, lo: h, hi: h, inverse, dif }),
        }
    }
    out
}

/// The steps of one transform of height 2^log_n. `scale_in`/`scale_out` (coset shift, 1/n) are
/// fused into a single Scale pass before or after the butterflies.
pub fn transform<F: Copy + PartialEq>(
    log_n: u32,
    direction: Direction,
    input: Order,
    output: Order,
    pre: Option<(F, F)>,
    post: Option<(F, F)>,
) -> Vec<Step<F>> {
    let inverse = direction == Direction::Inverse;
    let mut steps = Vec::new();
    if let Some((scale, shift)) = pre {
        steps.push(Step::Scale { log_n, scale, shift, bitrev_rows: input == Order::BitReversed });
    }
    // DIF turns natural into bit-reversed order, DIT the other way round.
    let natural_out = match input {
        Order::Natural => {
            steps.extend((0..log_n).rev().map(|log_half| Step::Dif { log_n, log_half, inverse }));
            false
        }
        Order::BitReversed => {
            steps.extend((0..log_n).map(|log_half| Step::Dit { log_n, log_half, inverse }));
            true
        }
    };
    if natural_out != (output == Order::Natural) && log_n > 0 {
        steps.push(Step::Bitrev { log_n });
    }
    if let Some((scale, shift)) = post {
        steps.push(Step::Scale { log_n, scale, shift, bitrev_rows: output == Order::BitReversed });
    }
    steps
}

/// Coset LDE of evaluations on H (natural order, height 2^log_n) onto shift·K (height
/// 2^(log_n + added_bits)): inverse transform to bit-reversed coefficients; one [`Step::Expand`]
/// (the permutation to natural order, 1/n · shift^k, the padding and the first `added_bits`
/// forward stages); the forward DIF's remaining log_n stages.
pub fn coset_lde<F: Copy + PartialEq>(log_n: u32, added_bits: u32, inv_n: F, shift: F, output: Order) -> Vec<Step<F>> {
    let log_big = log_n + added_bits;
    let mut steps: Vec<Step<F>> =
        (0..log_n).rev().map(|log_half| Step::Dif { log_n, log_half, inverse: true }).collect();
    steps.push(Step::Expand { log_src: log_n, log_dst: log_big, scale: inv_n, shift });
    steps.extend((0..log_n).rev().map(|log_half| Step::Dif { log_n: log_big, log_half, inverse: false }));
    if output == Order::Natural && log_big > 0 {
        steps.push(Step::Bitrev { log_n: log_big });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dif_stages_run_from_the_widest_span_down() {
        let s = transform::<u32>(3, Direction::Forward, Order::Natural, Order::BitReversed, None, None);
        assert_eq!(
            s,
            vec![
                Step::Dif { log_n: 3, log_half: 2, inverse: false },
                Step::Dif { log_n: 3, log_half: 1, inverse: false },
                Step::Dif { log_n: 3, log_half: 0, inverse: false },
            ]
        );
        let s = transform::<u32>(3, Direction::Forward, Order::Natural, Order::Natural, None, None);
        assert_eq!(s.last(), Some(&Step::Bitrev { log_n: 3 }));
        let s = transform::<u32>(2, Direction::Inverse, Order::BitReversed, Order::Natural, None, Some((5, 1)));
        assert_eq!(s.len(), 3);
        assert!(matches!(s[0], Step::Dit { log_half: 0, inverse: true, .. }));
    }

    #[test]
    fn passes_merge_stage_runs() {
        let s = transform::<u32>(3, Direction::Forward, Order::Natural, Order::Natural, Some((1, 2)), None);
        let p = passes(&s);
        assert_eq!(p.len(), 3);
        assert_eq!(p[1], Pass::Stages { log_n: 3, lo: 0, hi: 2, inverse: false, dif: true });
        assert_eq!(p[2], Pass::Step(Step::Bitrev { log_n: 3 }));
        let s = transform::<u32>(4, Direction::Inverse, Order::BitReversed, Order::Natural, None, None);
        assert_eq!(passes(&s)[0], Pass::Stages { log_n: 4, lo: 0, hi: 3, inverse: true, dif: false });
    }

    #[test]
    fn height_one_has_no_butterflies() {
        assert!(transform::<u32>(0, Direction::Forward, Order::Natural, Order::Natural, None, None).is_empty());
        let lde = coset_lde::<u32>(0, 2, 1, 7, Order::Natural);
        assert_eq!(lde, vec![Step::Expand { log_src: 0, log_dst: 2, scale: 1, shift: 7 }, Step::Bitrev { log_n: 2 }]);
    }
}
