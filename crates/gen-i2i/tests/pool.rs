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

#[test]
fn a_restored_pool_continues_as_the_original() {
    let images = |from: usize| -> Vec<Vec<f32>> {
        (from..from + 3)
            .map(|i| vec![i as f32, -(i as f32)])
            .collect()
    };
    let mut original = ImagePool::new(5, 11);
    for q in 0..4 {
        original.query(images(10 * q));
    }
    let mut restored = ImagePool::from_bytes(&original.to_bytes()).unwrap();
    assert_eq!(restored, original);
    for q in 4..10 {
        assert_eq!(
            restored.query(images(10 * q)),
            original.query(images(10 * q))
        );
    }
    // Truncated or inconsistent state is refused.
    let bytes = original.to_bytes();
    assert!(
        ImagePool::from_bytes(&bytes[..20])
            .unwrap_err()
            .to_string()
            .contains("truncated")
    );
    let err = ImagePool::from_bytes(&bytes[..bytes.len() - 4])
        .unwrap_err()
        .to_string();
    assert!(err.contains("header says 5 images of 2 values"), "{err}");
}

#[test]
fn a_pool_header_announcing_terabytes_is_an_error_not_an_abort() {
    // 40 bytes: capacity 2^42 images of 2^21 values, 2^20 of them stored, and no images.
    let mut bytes = Vec::new();
    for word in [1u64 << 42, 1 << 21, 1 << 20, 0, 7] {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    let err = ImagePool::<Vec<f32>>::from_bytes(&bytes)
        .unwrap_err()
        .to_string();
    assert!(err.contains("header says"), "{err}");
    // A width and count whose product overflows.
    let mut bytes = Vec::new();
    for word in [u64::MAX, u64::MAX / 2, u64::MAX / 4, 0, 7] {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    assert!(ImagePool::<Vec<f32>>::from_bytes(&bytes).is_err());
    // An empty pool of a huge capacity loads without reserving it.
    let mut bytes = Vec::new();
    for word in [1u64 << 42, 0, 0, 0, 7] {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    let pool = ImagePool::<Vec<f32>>::from_bytes(&bytes).unwrap();
    assert_eq!((pool.capacity(), pool.len()), (1 << 42, 0));
}
