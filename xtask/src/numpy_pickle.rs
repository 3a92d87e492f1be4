//! A reader of pickled numpy arrays, for the deep-learning tutorials' `mnist.pkl.gz` (the file
//! the GSN and GMMN authors' code reads).
//!
//! It runs the pickle virtual machine (protocol 2) over exactly the opcodes that Python 2's
//! `cPickle.dump` emits for tuples of C-ordered numpy arrays, and it interprets nothing: the only
//! callables are numpy's array reconstruction (`numpy.core.multiarray._reconstruct` applied to
//! `(numpy.ndarray, (0,), 'b')`) and `numpy.dtype`; any other opcode, global or argument is an
//! error that names what was found. An array's state, `(1, shape, dtype, fortran, bytes)`, is
//! checked against its shape and item size before it becomes a value.
//!
//! As in Python, the objects that `BUILD` completes (dtypes and arrays) are shared: the memo
//! and the stack hold handles to one object, so a dtype memoised before its byte order was set
//! and fetched again later is the completed dtype.
//!
//! Strings are read through `Read::take`, so a declared length costs nothing before its bytes
//! are really there: a truncated or lying file fails with "truncated", not with an allocation.

use std::collections::HashMap;
use std::io::Read;
use std::rc::Rc;

use anyhow::{Context, Result, bail, ensure};

/// The element types the reader accepts (numpy's type strings `f4` and `i8`, little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    F32,
    I64,
}

impl Dtype {
    fn from_code(code: &[u8]) -> Result<Self> {
        match code {
            b"f4" => Ok(Dtype::F32),
            b"i8" => Ok(Dtype::I64),
            other => bail!(
                "numpy dtype '{}' is not supported (only f4 and i8)",
                String::from_utf8_lossy(other)
            ),
        }
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::I64 => 8,
        }
    }
}

/// A decoded C-ordered numpy array: its shape, element type and raw little-endian bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct NdArray {
    pub shape: Vec<usize>,
    pub dtype: Dtype,
    pub bytes: Rc<Vec<u8>>,
}

impl NdArray {
    /// The elements as `f32` (a `F32` array only).
    pub fn to_f32(&self) -> Result<Vec<f32>> {
        ensure!(
            self.dtype == Dtype::F32,
            "expected a float32 array, found {:?}",
            self.dtype
        );
        Ok(self
            .bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// The elements as `i64` (an `I64` array only).
    pub fn to_i64(&self) -> Result<Vec<i64>> {
        ensure!(
            self.dtype == Dtype::I64,
            "expected an int64 array, found {:?}",
            self.dtype
        );
        Ok(self
            .bytes
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("chunks of 8")))
            .collect())
    }
}

/// The three globals a numpy pickle names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callable {
    /// `numpy.core.multiarray._reconstruct`
    Reconstruct,
    /// `numpy.ndarray`, only ever an argument of `_reconstruct`.
    NdarrayType,
    /// `numpy.dtype`
    DtypeType,
}

/// A value on the pickle machine's stack.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    None,
    Bool(bool),
    Int(i64),
    Bytes(Rc<Vec<u8>>),
    Tuple(Vec<Value>),
    Global(Callable),
    /// A handle to a dtype or array in the object arena.
    Object(usize),
}

/// An object that `REDUCE` creates and `BUILD` completes.
#[derive(Debug, Clone, PartialEq)]
enum Object {
    /// A dtype, with its byte order once `BUILD` has set it.
    Dtype(Dtype, Option<u8>),
    /// `_reconstruct`'s empty array, waiting for its state.
    EmptyArray,
    Array(NdArray),
}

/// What a pickle decodes to: arrays in (nested) tuples; anything else is named in words.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    Array(NdArray),
    Tuple(Vec<Decoded>),
    Other(String),
}

/// An item of the stack: a value or a `MARK`.
#[derive(Debug, Clone)]
enum Item {
    Mark,
    Value(Value),
}

/// The machine's state: stack, memo and objects.
#[derive(Default)]
struct Machine {
    stack: Vec<Item>,
    memo: HashMap<u8, Value>,
    objects: Vec<Object>,
}

/// Reads one byte.
fn byte(r: &mut impl Read) -> Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b).context("pickle truncated")?;
    Ok(b[0])
}

fn bytes_n<const N: usize>(r: &mut impl Read) -> Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b).context("pickle truncated")?;
    Ok(b)
}

/// Reads exactly `len` bytes without reserving `len` up front.
fn string(r: &mut impl Read, len: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    r.take(len as u64).read_to_end(&mut out)?;
    ensure!(
        out.len() == len,
        "pickle truncated: a string declares {len} bytes, {} are there",
        out.len()
    );
    Ok(out)
}

/// Reads a newline-terminated line of at most 64 bytes (a GLOBAL's module or name).
fn line(r: &mut impl Read) -> Result<String> {
    let mut out = Vec::new();
    loop {
        let b = byte(r)?;
        if b == b'\n' {
            break;
        }
        ensure!(out.len() < 64, "GLOBAL name longer than 64 bytes");
        out.push(b);
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn global(module: &str, name: &str) -> Result<Callable> {
    match (module, name) {
        ("numpy.core.multiarray", "_reconstruct") => Ok(Callable::Reconstruct),
        ("numpy", "ndarray") => Ok(Callable::NdarrayType),
        ("numpy", "dtype") => Ok(Callable::DtypeType),
        _ => bail!("GLOBAL {module}.{name} is not numpy's array reconstruction or dtype"),
    }
}

impl Machine {
    /// A short description of a value for error messages (strings by length, not content).
    fn describe(&self, v: &Value) -> String {
        match v {
            Value::None => "None".into(),
            Value::Bool(b) => format!("{b}"),
            Value::Int(i) => format!("{i}"),
            Value::Bytes(b) if b.len() <= 16 && b.iter().all(|c| c.is_ascii_graphic()) => {
                format!("'{}'", String::from_utf8_lossy(b))
            }
            Value::Bytes(b) => format!("<{} bytes>", b.len()),
            Value::Tuple(items) => format!(
                "({})",
                items
                    .iter()
                    .map(|i| self.describe(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Global(c) => format!("{c:?}"),
            Value::Object(id) => match &self.objects[*id] {
                Object::Dtype(d, Some(_)) => format!("dtype {d:?}"),
                Object::Dtype(d, None) => format!("dtype {d:?} without its state"),
                Object::EmptyArray => "an array without its state".into(),
                Object::Array(a) => format!("array {:?} {:?}", a.dtype, a.shape),
            },
        }
    }

    fn describe_all(&self, items: &[Value]) -> String {
        self.describe(&Value::Tuple(items.to_vec()))
    }

    fn new_object(&mut self, o: Object) -> Value {
        self.objects.push(o);
        Value::Object(self.objects.len() - 1)
    }

    fn push(&mut self, v: Value) {
        self.stack.push(Item::Value(v));
    }

    fn pop(&mut self) -> Result<Value> {
        match self.stack.pop() {
            Some(Item::Value(v)) => Ok(v),
            Some(Item::Mark) => bail!("a MARK where a value was expected"),
            None => bail!("stack underflow"),
        }
    }

    fn pop_n(&mut self, n: usize) -> Result<Vec<Value>> {
        let mut out = (0..n).map(|_| self.pop()).collect::<Result<Vec<_>>>()?;
        out.reverse();
        Ok(out)
    }

    /// Applies a callable to its argument tuple (the `REDUCE` opcode).
    fn reduce(&mut self, callable: Value, args: Value) -> Result<Value> {
        let Value::Tuple(args) = args else {
            bail!("REDUCE arguments are not a tuple: {}", self.describe(&args));
        };
        match callable {
            Value::Global(Callable::Reconstruct) => match args.as_slice() {
                [
                    Value::Global(Callable::NdarrayType),
                    Value::Tuple(shape),
                    Value::Bytes(code),
                ] if shape.as_slice() == [Value::Int(0)] && code.as_slice() == b"b" => {
                    Ok(self.new_object(Object::EmptyArray))
                }
                _ => bail!(
                    "_reconstruct called with {}, not (ndarray, (0,), 'b')",
                    self.describe_all(&args)
                ),
            },
            Value::Global(Callable::DtypeType) => match args.as_slice() {
                [Value::Bytes(code), Value::Int(0), Value::Int(1)] => {
                    let dtype = Dtype::from_code(code)?;
                    Ok(self.new_object(Object::Dtype(dtype, None)))
                }
                _ => bail!(
                    "numpy.dtype called with {}, not (code, 0, 1)",
                    self.describe_all(&args)
                ),
            },
            other => bail!(
                "REDUCE on {}, which is not callable here",
                self.describe(&other)
            ),
        }
    }

    /// The completed dtype a handle points to.
    fn built_dtype(&self, v: &Value) -> Option<Dtype> {
        match v {
            Value::Object(id) => match self.objects[*id] {
                Object::Dtype(d, Some(_)) => Some(d),
                _ => None,
            },
            _ => None,
        }
    }

    /// Sets an object's state (the `BUILD` opcode): a dtype's byte order or an array's
    /// contents. The object stays on the stack, and every handle to it sees the change.
    fn build(&mut self, object: Value, state: Value) -> Result<()> {
        let Value::Object(id) = object else {
            bail!(
                "BUILD on {}, which takes no state here",
                self.describe(&object)
            );
        };
        let Value::Tuple(state) = state else {
            bail!("BUILD state is not a tuple: {}", self.describe(&state));
        };
        let completed = match &self.objects[id] {
            Object::Dtype(dtype, None) => match state.as_slice() {
                // (version 3, byte order, subarray, names, fields, elsize, alignment, flags)
                [
                    Value::Int(3),
                    Value::Bytes(order),
                    Value::None,
                    Value::None,
                    Value::None,
                    Value::Int(-1),
                    Value::Int(-1),
                    Value::Int(0),
                ] => {
                    ensure!(
                        order.as_slice() == b"<",
                        "dtype byte order '{}' is not little-endian '<'",
                        String::from_utf8_lossy(order)
                    );
                    Object::Dtype(*dtype, Some(b'<'))
                }
                _ => bail!(
                    "dtype state {} is not a plain little-endian scalar type",
                    self.describe_all(&state)
                ),
            },
            Object::EmptyArray => match state.as_slice() {
                [
                    Value::Int(1),
                    Value::Tuple(shape),
                    dtype,
                    Value::Bool(fortran),
                    Value::Bytes(data),
                ] if self.built_dtype(dtype).is_some() => {
                    let dtype = self.built_dtype(dtype).expect("checked in the guard");
                    ensure!(!fortran, "Fortran-ordered arrays are not supported");
                    let shape: Vec<usize> = shape
                        .iter()
                        .map(|d| match d {
                            Value::Int(n) if *n >= 0 => Ok(*n as usize),
                            other => {
                                bail!("array dimension {} is not a size", self.describe(other))
                            }
                        })
                        .collect::<Result<_>>()?;
                    let count = shape
                        .iter()
                        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
                        .and_then(|n| n.checked_mul(dtype.size()))
                        .with_context(|| format!("array shape {shape:?} overflows"))?;
                    ensure!(
                        count == data.len(),
                        "array of shape {shape:?} and {dtype:?} needs {count} bytes, the pickle holds {}",
                        data.len()
                    );
                    Object::Array(NdArray {
                        shape,
                        dtype,
                        bytes: data.clone(),
                    })
                }
                _ => bail!(
                    "array state {} is not (1, shape, dtype, False, bytes)",
                    self.describe_all(&state)
                ),
            },
            _ => bail!(
                "BUILD on {}, which already has its state",
                self.describe(&object)
            ),
        };
        self.objects[id] = completed;
        self.push(object);
        Ok(())
    }

    /// The decoded form of a value: its arrays resolved, anything else named.
    fn decoded(&self, v: &Value) -> Decoded {
        match v {
            Value::Tuple(items) => Decoded::Tuple(items.iter().map(|i| self.decoded(i)).collect()),
            Value::Object(id) => match &self.objects[*id] {
                Object::Array(a) => Decoded::Array(a.clone()),
                _ => Decoded::Other(self.describe(v)),
            },
            other => Decoded::Other(self.describe(other)),
        }
    }
}

/// Runs the pickle in `r` and returns what `STOP` leaves.
pub fn read_pickle(r: &mut impl Read) -> Result<Decoded> {
    let mut m = Machine::default();
    let op = byte(r)?;
    ensure!(
        op == 0x80,
        "not a protocol-2 pickle: first opcode 0x{op:02x}"
    );
    let version = byte(r)?;
    ensure!(version == 2, "pickle protocol {version}, expected 2");
    loop {
        match byte(r)? {
            // GLOBAL
            b'c' => {
                let module = line(r)?;
                let name = line(r)?;
                m.push(Value::Global(global(&module, &name)?));
            }
            // MARK
            b'(' => m.stack.push(Item::Mark),
            // TUPLE: everything above the topmost MARK.
            b't' => {
                let mut items = Vec::new();
                loop {
                    match m.stack.pop() {
                        Some(Item::Mark) => break,
                        Some(Item::Value(v)) => items.push(v),
                        None => bail!("TUPLE without a MARK"),
                    }
                }
                items.reverse();
                m.push(Value::Tuple(items));
            }
            // TUPLE1, TUPLE2, TUPLE3
            op @ 0x85..=0x87 => {
                let items = m.pop_n((op - 0x84) as usize)?;
                m.push(Value::Tuple(items));
            }
            // BINPUT
            b'q' => {
                let key = byte(r)?;
                let Some(Item::Value(v)) = m.stack.last() else {
                    bail!("BINPUT with no value on the stack");
                };
                m.memo.insert(key, v.clone());
            }
            // BINGET
            b'h' => {
                let key = byte(r)?;
                let v = m
                    .memo
                    .get(&key)
                    .with_context(|| format!("BINGET of memo {key}, never stored"))?
                    .clone();
                m.push(v);
            }
            // REDUCE
            b'R' => {
                let args = m.pop()?;
                let callable = m.pop()?;
                let v = m.reduce(callable, args)?;
                m.push(v);
            }
            // BUILD
            b'b' => {
                let state = m.pop()?;
                let object = m.pop()?;
                m.build(object, state)?;
            }
            // SHORT_BINSTRING
            b'U' => {
                let len = byte(r)? as usize;
                m.push(Value::Bytes(Rc::new(string(r, len)?)));
            }
            // BINSTRING
            b'T' => {
                let len = i32::from_le_bytes(bytes_n::<4>(r)?);
                ensure!(len >= 0, "BINSTRING with negative length {len}");
                m.push(Value::Bytes(Rc::new(string(r, len as usize)?)));
            }
            // BININT
            b'J' => m.push(Value::Int(i32::from_le_bytes(bytes_n::<4>(r)?) as i64)),
            // BININT1
            b'K' => m.push(Value::Int(byte(r)? as i64)),
            // BININT2
            b'M' => m.push(Value::Int(u16::from_le_bytes(bytes_n::<2>(r)?) as i64)),
            // NONE
            b'N' => m.push(Value::None),
            // NEWFALSE
            0x89 => m.push(Value::Bool(false)),
            // STOP
            b'.' => {
                let v = m.pop()?;
                ensure!(
                    m.stack.is_empty(),
                    "{} items left on the stack at STOP",
                    m.stack.len()
                );
                return Ok(m.decoded(&v));
            }
            other => bail!(
                "pickle opcode 0x{other:02x} ('{}') is not one a numpy array pickle needs",
                if other.is_ascii_graphic() {
                    other as char
                } else {
                    '?'
                }
            ),
        }
    }
}
