//! The image pool fills first, then returns a stored image about half of the time.

use gen_i2i::pool::ImagePool;

#[test]
fn pool_fills_then_swaps_half_the_time() {
    let mut pool = ImagePool::new(50, 7);
    let first: Vec<Vec<f32>> = (0..50).map(|i| vec![i as f32]).collect();
    assert_eq!(
        pool.query(first.clone()),
        first,
        "while filling, images pass through"
    );
    assert_eq!(pool.len(), 50);
    let fresh: Vec<Vec<f32>> = (1000..3000).map(|i| vec![i as f32]).collect();
    let out = pool.query(fresh.clone());
    let swapped = out.iter().zip(&fresh).filter(|(a, b)| a != b).count();
    // 2,000 coin flips: standard deviation about 22.
    assert!((swapped as i64 - 1000).abs() < 100, "{swapped}");
    assert_eq!(pool.len(), 50);
    let mut pooled = ImagePool::new(0, 1);
    assert_eq!(
        pooled.query(fresh.clone()),
        fresh,
        "capacity 0 disables the pool"
    );
}
