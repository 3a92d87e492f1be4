//! `flush_subnormals_to_zero` on this thread and on rayon's workers: a product whose exact value
//! is subnormal (1e-30 x 1e-10 = 1e-40, below f32's smallest normal 1.18e-38) is 0 afterwards.
//! Its own test binary: the setting is process-wide.

use std::hint::black_box;

fn tiny_product() -> f32 {
    black_box(1e-30f32) * black_box(1e-10f32)
}

#[test]
fn subnormal_results_become_zero_here_and_on_the_pool() {
    if !cfg!(target_arch = "x86_64") {
        return;
    }
    assert!(tiny_product() > 0.0, "subnormal before");
    assert!(
        rayon::broadcast(|_| tiny_product())
            .iter()
            .all(|&p| p > 0.0)
    );
    gen_core::denormals::flush_subnormals_to_zero();
    assert_eq!(tiny_product(), 0.0);
    assert!(
        rayon::broadcast(|_| tiny_product())
            .iter()
            .all(|&p| p == 0.0)
    );
}
