//! Stochastic address assignment (Zigbee PRO R22 3.6.1.7): a parent picks a random
//! network address for a joining child from 0x0001–0xFFF7 that is not in use.

/// The highest address stochastic assignment may give (0xfff8–0xffff are reserved).
pub const MAX_STOCHASTIC_ADDRESS: u16 = 0xfff7;

/// A random address in 0x0001–0xFFF7 that `in_use` does not claim; `draw` gives uniform
/// integers below its argument. None only if every address is taken.
pub fn stochastic_address(
    mut draw: impl FnMut(u32) -> u32,
    in_use: impl Fn(u16) -> bool,
) -> Option<u16> {
    // A handful of draws virtually always succeed; a scan from the last draw ends it.
    let mut a = 1;
    for _ in 0..16 {
        a = 1 + draw(u32::from(MAX_STOCHASTIC_ADDRESS)) as u16;
        if !in_use(a) {
            return Some(a);
        }
    }
    (a..=MAX_STOCHASTIC_ADDRESS)
        .chain(1..a)
        .find(|&c| !in_use(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_range_and_free() {
        let mut s = 7u32;
        let mut draw = |n: u32| {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (s >> 8) % n
        };
        let mut taken = vec![0x0000];
        for _ in 0..200 {
            let a = stochastic_address(&mut draw, |c| taken.contains(&c)).unwrap();
            assert!((1..=MAX_STOCHASTIC_ADDRESS).contains(&a));
            assert!(!taken.contains(&a));
            taken.push(a);
        }
        // Every draw lands on a taken address: the scan finds the free one.
        let got = stochastic_address(|_| 4, |c| c != 9);
        assert_eq!(got, Some(9));
        assert_eq!(stochastic_address(|_| 0, |_| true), None);
    }
}
