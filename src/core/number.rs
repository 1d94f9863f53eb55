//! Number ⇄ text exactly as JavaScript does it, without `core::fmt` or `str::parse::<f64>`.
//!
//! Rust's float formatting (`{}` on an `f64`: Grisu + Dragon4 with their power-of-ten tables) and
//! float parsing (`dec2flt`, Eisel-Lemire tables) together cost over 40 KB of wasm, more than the
//! rest of the JSON layer (docs/performance.md, "Where wasm bytes go"). The SDK reads and
//! writes only small JSON documents, whose numbers are almost always integers, so this module
//! does the same work with one small big-integer type:
//! * [`parse_number`]: a JSON number lexeme (RFC 8259 §6) → the nearest `f64`, ties to even,
//!   like `JSON.parse` (ECMAScript RoundMVResult). Integers and short decimals take a fast exact
//!   path (Clinger); everything else is exact big-integer division.
//! * [`push_number`]: an `f64` → `Number.prototype.toString` text (ECMAScript Number::toString:
//!   the shortest digits that read back as the same double, Steele & White / Burger & Dybvig
//!   free-format generation), as `JSON.stringify` writes it.
//! * [`push_u64`] / [`push_i64`]: integer digits.

use std::cmp::Ordering;

/// Appends the decimal digits of `n`: the `itoa` every writer of keys, cookies and messages uses.
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for b in buf.iter().skip(i) {
        out.push(char::from(*b));
    }
}

/// Appends the decimal digits of `n`, with a `-` when negative.
pub(crate) fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// 2^53: below it every integer is an exact `f64` and prints as plain digits.
const EXACT_INT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Appends `n` as JavaScript's `String(n)` does for finite numbers (`JSON.stringify`'s number
/// text: `-0` is `0`, `1e21` is `1e+21`, `1e-7` is `1e-7`, `0.1` is `0.1`); non-finite numbers
/// are `null`, as in `JSON.stringify`.
pub(crate) fn push_number(out: &mut String, n: f64) {
    if !n.is_finite() {
        out.push_str("null");
        return;
    }
    if n.fract() == 0.0 && n.abs() < EXACT_INT_LIMIT {
        push_i64(out, n as i64);
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    let (digits, k) = shortest(n.abs());
    push_layout(out, &digits, k);
}

/// ECMAScript Number::toString steps 6–10 for `0.d1d2…dn × 10^k` (`k` is the spec's `n`).
fn push_layout(out: &mut String, digits: &[u8], k: i32) {
    let len = digits.len() as i32;
    let push_digits = |out: &mut String, ds: &[u8]| {
        for d in ds {
            out.push(char::from(b'0' + d));
        }
    };
    let zeros = |out: &mut String, count: i32| {
        for _ in 0..count {
            out.push('0');
        }
    };
    if len <= k && k <= 21 {
        push_digits(out, digits);
        zeros(out, k - len);
    } else if 0 < k && k <= 21 {
        let (int, frac) = digits.split_at(k as usize);
        push_digits(out, int);
        out.push('.');
        push_digits(out, frac);
    } else if -6 < k && k <= 0 {
        out.push_str("0.");
        zeros(out, -k);
        push_digits(out, digits);
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        push_digits(out, first);
        if !rest.is_empty() {
            out.push('.');
            push_digits(out, rest);
        }
        out.push('e');
        out.push(if k >= 1 { '+' } else { '-' });
        push_u64(out, u64::from((k - 1).unsigned_abs()));
    }
}

/// Reads a JSON number lexeme (`-? int frac? exp?`, RFC 8259 §6) as the nearest double, ties to
/// even; magnitudes beyond the largest double are infinite, as in `JSON.parse`. `None` when
/// `text` is not such a lexeme (the JSON parser has already checked the grammar; this function
/// only refuses what it cannot read, it never panics).
pub(crate) fn parse_number(text: &[u8]) -> Option<f64> {
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let signed = |v: f64| if negative { -v } else { v };
    // The common case: a short integer (timestamps, lifetimes) is exact in an f64.
    if !body.is_empty() && body.len() <= 15 && body.iter().all(u8::is_ascii_digit) {
        let m = body.iter().fold(0u64, |m, b| m * 10 + u64::from(b - b'0'));
        return Some(signed(m as f64));
    }
    let (digits, exp10) = significant_digits(body)?;
    if digits.is_empty() {
        return Some(signed(0.0));
    }
    // The value is in [10^(magnitude-1), 10^magnitude).
    let magnitude = digits.len() as i64 + exp10;
    let v = if magnitude > 310 {
        f64::INFINITY
    } else if magnitude < -324 {
        0.0
    } else {
        fast_path(&digits, exp10).unwrap_or_else(|| exact(&digits, exp10))
    };
    Some(signed(v))
}

/// Significant digits kept exactly; a longer mantissa is cut there with a sticky nonzero digit,
/// which cannot change the rounding (a halfway point between two doubles has at most 767
/// significant digits).
const MAX_DIGITS: usize = 800;

/// The lexeme without sign as `digits × 10^exp10`, `digits` without leading or trailing zeros.
fn significant_digits(body: &[u8]) -> Option<(Vec<u8>, i64)> {
    let mut digits: Vec<u8> = Vec::new();
    let mut exp10: i64 = 0;
    let mut seen_point = false;
    let mut seen_digit = false;
    let mut sticky = false;
    let mut rest = body;
    while let Some((&b, tail)) = rest.split_first() {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                let d = b - b'0';
                if digits.is_empty() && d == 0 {
                    // A leading zero: only its position counts.
                    if seen_point {
                        exp10 -= 1;
                    }
                } else if digits.len() < MAX_DIGITS {
                    digits.push(d);
                    if seen_point {
                        exp10 -= 1;
                    }
                } else {
                    sticky |= d != 0;
                    if !seen_point {
                        exp10 += 1;
                    }
                }
            }
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' => {
                exp10 = exp10.saturating_add(exponent(tail)?);
                break;
            }
            _ => return None,
        }
        rest = tail;
    }
    if !seen_digit {
        return None;
    }
    if sticky {
        digits.push(1);
        exp10 -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exp10 += 1;
    }
    Some((digits, exp10))
}

/// The exponent part after `e`: optional sign and at least one digit; saturates far beyond the
/// range where the value is 0 or infinite.
fn exponent(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut e: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        e = (e * 10 + i64::from(b - b'0')).min(1_000_000);
    }
    Some(if negative { -e } else { e })
}

/// Clinger's fast path: a mantissa below 2^53 and a power of ten up to 10^22 are both exact
/// doubles, so one correctly rounded multiplication or division gives the nearest double.
fn fast_path(digits: &[u8], exp10: i64) -> Option<f64> {
    if digits.len() > 15 || !(-22..=22).contains(&exp10) {
        return None;
    }
    let m = digits.iter().fold(0u64, |m, &d| m * 10 + u64::from(d)) as f64;
    let mut pow = 1.0f64;
    for _ in 0..exp10.unsigned_abs() {
        pow *= 10.0;
    }
    Some(if exp10 < 0 { m / pow } else { m * pow })
}

/// `digits × 10^exp10` rounded to the nearest double by exact big-integer division: the quotient
/// is taken to 66+ bits and the remainder becomes the sticky bit.
fn exact(digits: &[u8], exp10: i64) -> f64 {
    let mut num = Big::from_u64(0);
    for &d in digits {
        num.mul_small(10);
        num.add_small(u32::from(d));
    }
    let mut den = Big::from_u64(1);
    if exp10 >= 0 {
        num.mul_pow10(exp10 as u64);
    } else {
        den.mul_pow10(exp10.unsigned_abs());
    }
    // Scale so that num / den is in [2^65, 2^67).
    let shift = 66 + den.bit_len() as i64 - num.bit_len() as i64;
    if shift >= 0 {
        num.shl(shift as usize);
    } else {
        den.shl(shift.unsigned_abs() as usize);
    }
    let mut step = den;
    step.shl(67);
    let mut quotient: u128 = 0;
    for _ in 0..68 {
        quotient <<= 1;
        if num.compare(&step) != Ordering::Less {
            num.sub(&step);
            quotient |= 1;
        }
        step.shr1();
    }
    compose(quotient, -shift, !num.is_zero())
}

/// The double nearest to `(q + sticky·ε) × 2^e2` (`q` nonzero, below 2^127), ties to even,
/// with subnormals and overflow to infinity.
fn compose(q: u128, e2: i64, sticky: bool) -> f64 {
    if q == 0 {
        return 0.0;
    }
    let bits = 128 - i64::from(q.leading_zeros());
    // Unbiased exponent of the leading bit.
    let exp = e2 + bits - 1;
    if exp > 1023 {
        return f64::INFINITY;
    }
    // Keep 53 bits for a normal number, fewer for a subnormal one.
    let keep = if exp >= -1022 { 53 } else { 53 - (-1022 - exp) };
    if keep < 0 {
        return 0.0;
    }
    let drop = (bits - keep).max(0) as u32;
    let mut m = q.checked_shr(drop).unwrap_or(0);
    let low_mask = 1u128.checked_shl(drop).map_or(u128::MAX, |b| b - 1);
    let rem = q & low_mask;
    if drop > 0 {
        let half = 1u128 << (drop - 1);
        if rem > half || (rem == half && (sticky || m & 1 == 1)) {
            m += 1;
        }
    } else if keep > bits {
        // Fewer bits than kept (only for tiny quotients): exact, shift up.
        m <<= (keep - bits) as u32;
    }
    let m = m as u64;
    let pattern = if exp >= -1022 {
        // m is in [2^52, 2^53]; 2^53 carries into the exponent (and to infinity at the top).
        (((exp + 1023) as u64) << 52) + (m - (1 << 52))
    } else {
        // A subnormal's pattern is its mantissa; 2^52 is the smallest normal.
        m
    };
    f64::from_bits(pattern.min(0x7ff0_0000_0000_0000))
}

/// The shortest digits `d1…dn` with `0.d1…dn × 10^k` reading back as `v` (finite, > 0), and `k`.
/// Among shortest candidates the nearest is taken (ties round up, as Rust's `{}` does).
fn shortest(v: f64) -> (Vec<u8>, i32) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (f, e) = if biased == 0 { (fraction, -1074i64) } else { (fraction | 1 << 52, biased - 1075) };
    // Round-half-even reading maps the midpoints to v itself when its mantissa is even.
    let inclusive = f & 1 == 0;
    // At a power of two the gap below is half the gap above.
    let lower_closer = fraction == 0 && biased > 1;
    let t = if lower_closer { 2 } else { 1 };
    let up_shift = e.max(0) as usize;
    let down_shift = (-e).max(0) as usize;
    // v = r/s; the midpoints to the neighbours are v + plus/s and v - minus/s.
    let mut r = Big::from_u64(f);
    r.shl(up_shift + t);
    let mut s = Big::from_u64(1);
    s.shl(down_shift + t);
    let mut plus = Big::from_u64(1);
    plus.shl(up_shift + t - 1);
    let mut minus = Big::from_u64(1);
    minus.shl(up_shift);
    // k estimate from floor(log2 v), never above the true k; the loop below raises it.
    let log2 = e + 64 - i64::from(f.leading_zeros()) - 1;
    let mut k = ((log2 * 78_913) >> 18) as i32;
    if k >= 0 {
        s.mul_pow10(k as u64);
    } else {
        let up = u64::from(k.unsigned_abs());
        r.mul_pow10(up);
        plus.mul_pow10(up);
        minus.mul_pow10(up);
    }
    let reaches = |r: &Big, plus: &Big, s: &Big| {
        let mut sum = r.clone();
        sum.add(plus);
        match sum.compare(s) {
            Ordering::Greater => true,
            Ordering::Equal => inclusive,
            Ordering::Less => false,
        }
    };
    // Invariant afterwards: v + plus < 10^k (scaled: r + plus < s), and the first digit is nonzero.
    while reaches(&r, &plus, &s) {
        s.mul_small(10);
        k += 1;
    }
    let mut digits = Vec::new();
    // At most 17 digits are ever needed; the bound only guards against a logic error.
    for _ in 0..40 {
        r.mul_small(10);
        plus.mul_small(10);
        minus.mul_small(10);
        let mut d = 0u8;
        while d < 9 && r.compare(&s) != Ordering::Less {
            r.sub(&s);
            d += 1;
        }
        let low = match r.compare(&minus) {
            Ordering::Less => true,
            Ordering::Equal => inclusive,
            Ordering::Greater => false,
        };
        let high = reaches(&r, &plus, &s);
        if !low && !high {
            digits.push(d);
            continue;
        }
        let round_up = if low && high {
            let mut twice = r.clone();
            twice.shl(1);
            twice.compare(&s) != Ordering::Less
        } else {
            high
        };
        digits.push(d + u8::from(round_up));
        break;
    }
    (digits, k)
}

/// A non-negative big integer, 32-bit limbs, least significant first; only what the two
/// conversions need.
#[derive(Clone)]
struct Big(Vec<u32>);

impl Big {
    fn from_u64(v: u64) -> Big {
        Big(vec![v as u32, (v >> 32) as u32])
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    fn bit_len(&self) -> usize {
        for (i, &l) in self.0.iter().enumerate().rev() {
            if l != 0 {
                return i * 32 + 32 - l.leading_zeros() as usize;
            }
        }
        0
    }

    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for l in self.0.iter_mut() {
            let p = u64::from(*l) * u64::from(m) + carry;
            *l = p as u32;
            carry = p >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    fn add_small(&mut self, a: u32) {
        let mut carry = u64::from(a);
        for l in self.0.iter_mut() {
            if carry == 0 {
                return;
            }
            let s = u64::from(*l) + carry;
            *l = s as u32;
            carry = s >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut n: u64) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        for _ in 0..n {
            self.mul_small(10);
        }
    }

    fn shl(&mut self, bits: usize) {
        let b = (bits % 32) as u32;
        if b != 0 {
            let mut carry = 0u32;
            for l in self.0.iter_mut() {
                let v = *l;
                *l = (v << b) | carry;
                carry = v >> (32 - b);
            }
            if carry != 0 {
                self.0.push(carry);
            }
        }
        let limbs = bits / 32;
        if limbs > 0 {
            let mut shifted = vec![0u32; limbs];
            shifted.extend_from_slice(&self.0);
            self.0 = shifted;
        }
    }

    fn shr1(&mut self) {
        let mut carry = 0u32;
        for l in self.0.iter_mut().rev() {
            let v = *l;
            *l = (v >> 1) | (carry << 31);
            carry = v & 1;
        }
    }

    fn compare(&self, other: &Big) -> Ordering {
        let n = self.0.len().max(other.0.len());
        for i in (0..n).rev() {
            let a = self.0.get(i).copied().unwrap_or(0);
            let b = other.0.get(i).copied().unwrap_or(0);
            if a != b {
                return a.cmp(&b);
            }
        }
        Ordering::Equal
    }

    fn add(&mut self, other: &Big) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        let mut carry = 0u64;
        for (i, l) in self.0.iter_mut().enumerate() {
            let s = u64::from(*l) + u64::from(other.0.get(i).copied().unwrap_or(0)) + carry;
            *l = s as u32;
            carry = s >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    /// `self -= other`; the caller guarantees `self >= other`.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0u64;
        for (i, l) in self.0.iter_mut().enumerate() {
            let b = u64::from(other.0.get(i).copied().unwrap_or(0)) + borrow;
            let a = u64::from(*l);
            if a >= b {
                *l = (a - b) as u32;
                borrow = 0;
            } else {
                *l = ((a + (1 << 32)) - b) as u32;
                borrow = 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: f64) -> String {
        let mut s = String::new();
        push_number(&mut s, n);
        s
    }

    fn parse(s: &str) -> f64 {
        parse_number(s.as_bytes()).unwrap()
    }

    /// Random cases per test: fewer in unoptimised builds, where big-integer arithmetic is slow
    /// (`cargo test --release --lib number` runs the full set).
    const CASES: usize = if cfg!(debug_assertions) { 8_000 } else { 200_000 };

    /// xorshift64*: reproducible pseudo-random test inputs.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// Rust's `{:e}` prints the same shortest digits; as (digits, k) for comparison.
    fn std_shortest(v: f64) -> (Vec<u8>, i32) {
        let s = format!("{v:e}");
        let (mantissa, exp) = s.split_once('e').unwrap();
        let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        (digits, exp.parse::<i32>().unwrap() + 1)
    }

    #[test]
    fn integers_print_as_plain_digits() {
        for (n, s) in [(0.0, "0"), (-0.0, "0"), (1.0, "1"), (-42.0, "-42"), (1_700_000_000.0, "1700000000"), (9_007_199_254_740_991.0, "9007199254740991")] {
            assert_eq!(text(n), s);
        }
        let mut s = String::new();
        push_u64(&mut s, u64::MAX);
        push_i64(&mut s, i64::MIN);
        assert_eq!(s, "18446744073709551615-9223372036854775808");
    }

    #[test]
    fn numbers_print_like_javascript_string_of_number() {
        let cases = [
            (0.5, "0.5"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.5e-6, "0.0000015"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (123.456, "123.456"),
            (2f64.powi(53), "9007199254740992"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (123_456_789_012_345_680_000.0, "123456789012345680000"),
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
        ];
        for (n, s) in cases {
            assert_eq!(text(n), s, "{n:e}");
        }
    }

    #[test]
    fn shortest_digits_match_rust_for_random_and_edge_doubles() {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        let mut values: Vec<f64> = (0..CASES).map(|_| f64::from_bits(g.next() >> 1)).collect();
        for i in 0..2046u64 {
            // Powers of two (closer lower boundary), their neighbours, and subnormals.
            let p = f64::from_bits((i + 1) << 52);
            values.extend([p, f64::from_bits(p.to_bits() + 1), f64::from_bits(p.to_bits() - 1), f64::from_bits(i + 1)]);
        }
        values.extend((1..2000).map(|i| i as f64 / 1000.0));
        // Everyday magnitudes: short decimals and large integers.
        values.extend((0..CASES / 4).map(|i| (g.next() % 1_000_000_000_000) as f64 / 10f64.powi(i as i32 % 20 - 4)));
        for v in values.into_iter().filter(|v| v.is_finite() && *v > 0.0) {
            assert_eq!(shortest(v), std_shortest(v), "{v:e}");
        }
    }

    #[test]
    fn printed_numbers_read_back_to_the_same_double() {
        let mut g = Gen(12345);
        for _ in 0..CASES / 2 {
            let v = f64::from_bits(g.next());
            if v.is_finite() {
                assert_eq!(parse(&text(v)).to_bits(), if v == 0.0 { 0 } else { v.to_bits() }, "{v:e}");
            }
        }
    }

    #[test]
    fn parsing_matches_rust_for_random_lexemes() {
        let mut g = Gen(777);
        for i in 0..CASES {
            let mut s = String::new();
            if g.next().is_multiple_of(2) {
                s.push('-');
            }
            let int_len = 1 + g.next() % if i % 10 == 0 { 40 } else { 20 };
            for j in 0..int_len {
                let d = (g.next() % 10) as u8;
                s.push(char::from(b'0' + if j == 0 && int_len > 1 { 1 + d % 9 } else { d }));
            }
            if g.next().is_multiple_of(2) {
                s.push('.');
                for _ in 0..1 + g.next() % 25 {
                    s.push(char::from(b'0' + (g.next() % 10) as u8));
                }
            }
            if g.next().is_multiple_of(2) {
                s.push(if g.next().is_multiple_of(2) { 'e' } else { 'E' });
                match g.next() % 3 {
                    0 => s.push('-'),
                    1 => s.push('+'),
                    _ => {}
                }
                s.push_str(&(g.next() % 340).to_string());
            }
            let ours = parse(&s);
            let std = s.parse::<f64>().unwrap();
            assert_eq!(ours.to_bits(), std.to_bits(), "{s}");
        }
    }

    #[test]
    fn parsing_handles_halfway_cases_extremes_and_long_mantissas() {
        let cases = [
            "9007199254740993",
            "9007199254740995",
            "9007199254740993.0000000000000000000000000000000000001",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e400",
            "-1e400",
            "1e-400",
            "0.0000000000000000000000000000000000000000000000001",
            "123456789012345678901234567890",
            "0e999999999999",
            "-0",
            "0.0",
            "1e-99999999999999999999",
            "1e99999999999999999999",
        ];
        for s in cases {
            assert_eq!(parse(s).to_bits(), s.parse::<f64>().unwrap().to_bits(), "{s}");
        }
        let long = ["1.", &"0".repeat(1000), "1e0"].concat();
        assert_eq!(parse(&long), 1.0);
        let long_half = ["9007199254740992.5", &"0".repeat(900), "1"].concat();
        assert_eq!(parse(&long_half).to_bits(), long_half.parse::<f64>().unwrap().to_bits());
    }

    #[test]
    fn refuses_what_is_not_a_number_lexeme() {
        for bad in ["", "-", "e5", "1e", "1e+", "1.2.3", "1x", "--1", "."] {
            assert_eq!(parse_number(bad.as_bytes()), None, "{bad}");
        }
    }
}
