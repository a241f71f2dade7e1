//! An AIR's constraints as a register program: what the quotient evaluates per row, on the cpu
//! (`quotient.rs`, a block of rows an instruction) and, later, per device thread.
//!
//! The AIR is run once through p3-air's `SymbolicAirBuilder`; the expression DAG it records is
//! lowered to three-address instructions over one array of *slots*:
//!
//! ```text
//! [ constants | public values | is_first_row, is_last_row, is_transition | local row | next row | temporaries ]
//! ```
//!
//! Equal subexpressions become one instruction (hash-consing over structure, not only over the
//! `Arc`s the builder shares), constant subexpressions are folded, and temporaries are reused
//! once their last reader has run, so a wide AIR needs few live slots. Field arithmetic is
//! exact, so none of this changes a value: the quotient equals p3-uni-stark's bit for bit.

use std::collections::HashMap;
use std::sync::Arc;

use p3_air::symbolic::{AirLayout, BaseEntry, BaseLeaf, SymbolicAirBuilder, SymbolicExpression};
use p3_air::Air;
use p3_field::Field;

use crate::error::{Error, Result};

/// What an instruction computes; the discriminants are the kernel's codes (`stark_op_t` in
/// kernels/stark/quotient.cuh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Op {
    Add = 0,
    Sub = 1,
    Mul = 2,
    /// `dst = -a` (`b` unused).
    Neg = 3,
    /// Adds `slots[a]` times α^(count − 1 − dst) to the running fold: constraint `dst` is done.
    Fold = 4,
}

/// `slots[dst] = slots[a] op slots[b]` (for [`Op::Fold`], `dst` is the constraint's index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instr {
    pub op: Op,
    pub dst: u32,
    pub a: u32,
    pub b: u32,
}

/// The compiled constraints of one AIR.
#[derive(Debug, Clone)]
pub struct ConstraintProgram<F> {
    /// Values of the first `constants.len()` slots.
    pub constants: Vec<F>,
    pub num_public_values: usize,
    /// Main trace width: `width` local-row slots, then `width` next-row slots.
    pub width: usize,
    /// Temporaries the instructions use (slots after the next row).
    pub temporaries: usize,
    pub instrs: Vec<Instr>,
    /// Constraints, each folded by one [`Op::Fold`] (constraint `i` in p3-uni-stark's order,
    /// weighted by α^(constraints − 1 − i)).
    pub constraints: usize,
}

impl<F: Field> ConstraintProgram<F> {
    /// Compiles the constraints `air` emits (over `air.num_public_values()` public values, as
    /// p3-uni-stark reads them). Errors name what the program cannot express (preprocessed or
    /// periodic columns, extension-field constraints), so such an AIR never gets a wrong
    /// quotient.
    pub fn compile<A: Air<SymbolicAirBuilder<F>>>(air: &A) -> Result<Self> {
        let num_public_values = air.num_public_values();
        if air.preprocessed_width() > 0 {
            return Err(unsupported("preprocessed columns"));
        }
        if air.num_periodic_columns() > 0 {
            return Err(unsupported("periodic columns"));
        }
        let layout = AirLayout { main_width: air.width(), num_public_values, ..Default::default() };
        let mut builder = SymbolicAirBuilder::<F>::new(layout);
        air.eval(&mut builder);
        if !builder.extension_constraints().is_empty() {
            return Err(unsupported("extension-field constraints"));
        }
        Self::from_constraints(&builder.base_constraints(), air.width(), num_public_values)
    }

    /// Compiles `constraints` over a main trace of `width` columns.
    pub fn from_constraints(
        constraints: &[SymbolicExpression<F>],
        width: usize,
        num_public_values: usize,
    ) -> Result<Self> {
        let mut lower = Lower::new(width, num_public_values);
        let roots = constraints.iter().map(|c| lower.node(c)).collect::<Result<Vec<_>>>()?;
        Ok(lower.allocate(&roots))
    }

    /// Slots before the temporaries.
    pub fn fixed_slots(&self) -> usize {
        self.constants.len() + self.num_public_values + 3 + 2 * self.width
    }

    pub fn slots(&self) -> usize {
        self.fixed_slots() + self.temporaries
    }

    /// First slot of the public values, the selectors, the local row, the next row.
    pub fn public_base(&self) -> usize {
        self.constants.len()
    }
    /// Whether an instruction reads one of the three selectors (else a device skips them).
    pub fn uses_selectors(&self) -> bool {
        let selectors = self.selector_base() as u32..self.local_base() as u32;
        self.instrs.iter().any(|i| selectors.contains(&i.a) || (i.op != Op::Fold && selectors.contains(&i.b)))
    }
    pub fn selector_base(&self) -> usize {
        self.public_base() + self.num_public_values
    }
    pub fn local_base(&self) -> usize {
        self.selector_base() + 3
    }
    pub fn next_base(&self) -> usize {
        self.local_base() + self.width
    }
}

fn unsupported(what: &str) -> Error {
    Error::InvalidArgument(format!("the constraint program cannot express {what} (cherenkov::stark)"))
}

/// A value of the DAG before slots are assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Value {
    Constant(u32),
    Public(u32),
    Selector(u32),
    Local(u32),
    Next(u32),
    /// The result of `nodes[i]`.
    Node(u32),
}

struct Lower<F> {
    width: usize,
    num_public_values: usize,
    constants: Vec<F>,
    constant_index: HashMap<F, u32>,
    nodes: Vec<(Op, Value, Value)>,
    node_index: HashMap<(Op, Value, Value), u32>,
    /// Expressions already lowered, by address (the builder shares subtrees through `Arc`s).
    seen: HashMap<*const SymbolicExpression<F>, Value>,
    /// Keeps every visited expression alive, so no address in `seen` is reused.
    keep: Vec<Arc<SymbolicExpression<F>>>,
}

impl<F: Field> Lower<F> {
    fn new(width: usize, num_public_values: usize) -> Self {
        Self {
            width,
            num_public_values,
            constants: Vec::new(),
            constant_index: HashMap::new(),
            nodes: Vec::new(),
            node_index: HashMap::new(),
            seen: HashMap::new(),
            keep: Vec::new(),
        }
    }

    fn constant(&mut self, c: F) -> Value {
        let next = self.constants.len() as u32;
        let i = *self.constant_index.entry(c).or_insert(next);
        if i == next {
            self.constants.push(c);
        }
        Value::Constant(i)
    }

    fn leaf(&mut self, leaf: &BaseLeaf<F>) -> Result<Value> {
        Ok(match leaf {
            BaseLeaf::Constant(c) => self.constant(*c),
            BaseLeaf::IsFirstRow => Value::Selector(0),
            BaseLeaf::IsLastRow => Value::Selector(1),
            BaseLeaf::IsTransition => Value::Selector(2),
            BaseLeaf::Variable(v) => match v.entry {
                BaseEntry::Main { offset } if v.index < self.width => match offset {
                    0 => Value::Local(v.index as u32),
                    1 => Value::Next(v.index as u32),
                    _ => return Err(unsupported(&format!("a main-trace row offset of {offset}"))),
                },
                BaseEntry::Public if v.index < self.num_public_values => Value::Public(v.index as u32),
                BaseEntry::Main { .. } | BaseEntry::Public => {
                    return Err(unsupported(&format!("variable {:?} {} outside the layout", v.entry, v.index)))
                }
                BaseEntry::Preprocessed { .. } => return Err(unsupported("preprocessed columns")),
                BaseEntry::Periodic => return Err(unsupported("periodic columns")),
            },
        })
    }

    fn node(&mut self, e: &SymbolicExpression<F>) -> Result<Value> {
        let key = e as *const _;
        if let Some(&v) = self.seen.get(&key) {
            return Ok(v);
        }
        let v = match e {
            SymbolicExpression::Leaf(leaf) => self.leaf(leaf)?,
            SymbolicExpression::Add { x, y, .. } => self.binary(Op::Add, x, y)?,
            SymbolicExpression::Sub { x, y, .. } => self.binary(Op::Sub, x, y)?,
            SymbolicExpression::Mul { x, y, .. } => self.binary(Op::Mul, x, y)?,
            SymbolicExpression::Neg { x, .. } => {
                let a = self.child(x)?;
                self.emit(Op::Neg, a, a)
            }
        };
        self.seen.insert(key, v);
        Ok(v)
    }

    fn child(&mut self, e: &Arc<SymbolicExpression<F>>) -> Result<Value> {
        self.keep.push(e.clone());
        self.node(e)
    }

    fn binary(&mut self, op: Op, x: &Arc<SymbolicExpression<F>>, y: &Arc<SymbolicExpression<F>>) -> Result<Value> {
        let (a, b) = (self.child(x)?, self.child(y)?);
        Ok(self.emit(op, a, b))
    }

    /// The value of `a op b`: folded when both are constants, simplified for 0 and 1, else the
    /// one node for it (commutative operands in a canonical order).
    fn emit(&mut self, op: Op, a: Value, b: Value) -> Value {
        let c = |v: Value, s: &Self| match v {
            Value::Constant(i) => Some(s.constants[i as usize]),
            _ => None,
        };
        match (op, c(a, self), c(b, self)) {
            (Op::Add, Some(x), Some(y)) => return self.constant(x + y),
            (Op::Sub, Some(x), Some(y)) => return self.constant(x - y),
            (Op::Mul, Some(x), Some(y)) => return self.constant(x * y),
            (Op::Neg, Some(x), _) => return self.constant(-x),
            (Op::Add, Some(z), _) if z.is_zero() => return b,
            (Op::Add | Op::Sub, _, Some(z)) if z.is_zero() => return a,
            (Op::Mul, Some(o), _) if o.is_one() => return b,
            (Op::Mul, _, Some(o)) if o.is_one() => return a,
            (Op::Mul, Some(z), _) | (Op::Mul, _, Some(z)) if z.is_zero() => return self.constant(F::ZERO),
            _ => {}
        }
        let (a, b) = match op {
            Op::Add | Op::Mul if b < a => (b, a),
            Op::Neg => (a, a),
            _ => (a, b),
        };
        let next = self.nodes.len() as u32;
        let i = *self.node_index.entry((op, a, b)).or_insert(next);
        if i == next {
            self.nodes.push((op, a, b));
        }
        Value::Node(i)
    }

    /// Slots for the nodes, and each constraint folded as soon as its value exists: a node's
    /// temporary is freed after its last reader, a fold counting as one.
    fn allocate(self, roots: &[Value]) -> ConstraintProgram<F> {
        let n = self.nodes.len();
        let mut last_use: Vec<usize> = (0..n).collect();
        for (i, &(_, a, b)) in self.nodes.iter().enumerate() {
            for v in [a, b] {
                if let Value::Node(j) = v {
                    last_use[j as usize] = i;
                }
            }
        }
        let mut folds_after: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut early_folds = Vec::new();
        for (k, &r) in roots.iter().enumerate() {
            match r {
                Value::Node(j) => folds_after[j as usize].push(k as u32),
                _ => early_folds.push((k as u32, r)),
            }
        }
        let mut program = ConstraintProgram {
            constants: self.constants,
            num_public_values: self.num_public_values,
            width: self.width,
            temporaries: 0,
            instrs: Vec::with_capacity(n + roots.len()),
            constraints: roots.len(),
        };
        let fixed = program.fixed_slots() as u32;
        let slot = |v: Value, slot_of: &[u32], p: &ConstraintProgram<F>| -> u32 {
            match v {
                Value::Constant(i) => i,
                Value::Public(i) => p.public_base() as u32 + i,
                Value::Selector(i) => p.selector_base() as u32 + i,
                Value::Local(i) => p.local_base() as u32 + i,
                Value::Next(i) => p.next_base() as u32 + i,
                Value::Node(i) => slot_of[i as usize],
            }
        };
        // Constraints that are a leaf (a column, a constant) read fixed slots: fold them first.
        for (k, r) in early_folds {
            let a = slot(r, &[], &program);
            program.instrs.push(Instr { op: Op::Fold, dst: k, a, b: a });
        }
        let mut slot_of = vec![0u32; n];
        let mut free: Vec<u32> = Vec::new();
        let mut temporaries = 0u32;
        for (i, &(op, a, b)) in self.nodes.iter().enumerate() {
            let (sa, sb) = (slot(a, &slot_of, &program), slot(b, &slot_of, &program));
            // Operands read for the last time here free their slots first, so dst may reuse one
            // (every backend reads both operands before it writes dst).
            let operands = if a == b { &[a][..] } else { &[a, b][..] };
            for &v in operands {
                if let Value::Node(j) = v {
                    if last_use[j as usize] == i {
                        free.push(slot_of[j as usize]);
                    }
                }
            }
            let dst = free.pop().unwrap_or_else(|| {
                temporaries += 1;
                fixed + temporaries - 1
            });
            slot_of[i] = dst;
            program.instrs.push(Instr { op, dst, a: sa, b: sb });
            for &k in &folds_after[i] {
                program.instrs.push(Instr { op: Op::Fold, dst: k, a: dst, b: dst });
            }
            if last_use[i] == i {
                free.push(dst); // a constraint no later node reads
            }
        }
        program.temporaries = temporaries as usize;
        program
    }
}
