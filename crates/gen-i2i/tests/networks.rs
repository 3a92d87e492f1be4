//! Shapes and sizes of the networks against the reference implementation's known values, and
//! the padding and normalisation layers against hand computations.

use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use gen_core::tensor_io::to_vec_f32;
use gen_i2i::layers::{instance_norm, reflect_pad};
use gen_i2i::{CycleGanConfig, PatchDiscriminatorConfig, ResnetGeneratorConfig};

#[test]
fn reference_networks_have_the_reference_parameter_counts() {
    // The reference code prints "[Network G_A] Total number of parameters : 11.378 M" for
    // resnet_9blocks with ngf 64 and "2.765 M" for the basic (70x70) D with ndf 64; by hand,
    // counting weights and biases layer by layer: 11,378,179 and 2,764,737.
    let dev = Device::flex();
    let model = CycleGanConfig::for_image(3, 256);
    assert_eq!(model.generator.blocks, 9);
    assert_eq!(model.discriminator.layers, 3);
    assert_eq!(model.generator.init(&dev).num_params(), 11_378_179);
    assert_eq!(model.discriminator.init(&dev).num_params(), 2_764_737);
    // resnet_6blocks for 128x128 images: three blocks fewer, 3 x 2 x (256·256·9 + 256).
    let six = ResnetGeneratorConfig::for_side(3, 128);
    assert_eq!(six.blocks, 6);
    assert_eq!(six.init(&dev).num_params(), 11_378_179 - 3 * 2 * 590_080);
}

#[test]
fn patch_sizes_are_pix2pix_s() {
    // Isola et al. 2017, Sec. 4.4: the 16x16 (one layer), 70x70 (three) and 286x286 (five)
    // PatchGANs.
    for (layers, field) in [(1, 16), (3, 70), (5, 286)] {
        let d = PatchDiscriminatorConfig {
            channels: 3,
            filters: 8,
            layers,
        };
        assert_eq!(d.receptive_field(), field, "{layers} layers");
    }
}

#[test]
fn translators_keep_the_shape_and_discriminators_give_one_logit_per_patch() {
    let dev = Device::flex();
    for (image, generator, discriminator) in [
        (
            [3, 32, 32],
            ResnetGeneratorConfig::for_side(3, 32),
            PatchDiscriminatorConfig::for_side(3, 32),
        ),
        (
            [1, 16, 20],
            ResnetGeneratorConfig {
                channels: 1,
                filters: 4,
                downsamplings: 2,
                blocks: 1,
            },
            PatchDiscriminatorConfig {
                channels: 1,
                filters: 4,
                layers: 1,
            },
        ),
    ] {
        let [c, h, w] = image;
        let x = Tensor::<4>::random([2, c, h, w], Distribution::Uniform(-1.0, 1.0), &dev);
        let y = generator.init(&dev).forward(x.clone());
        assert_eq!(y.dims(), [2, c, h, w]);
        assert!(to_vec_f32(y.clone().abs().max()).iter().all(|v| *v < 1.0));
        let logits = discriminator.init(&dev).forward(y);
        let [_, one, oh, ow] = logits.dims();
        assert_eq!(one, 1);
        assert_eq!(Some(oh), discriminator.output_side(h));
        assert_eq!(Some(ow), discriminator.output_side(w));
    }
    // The 70x70 PatchGAN on 256x256 images gives the familiar 30x30 map.
    let d = PatchDiscriminatorConfig::for_side(3, 256);
    assert_eq!(d.output_side(256), Some(30));
}

#[test]
fn bad_shapes_are_refused_by_name() {
    let g = ResnetGeneratorConfig::for_side(3, 32);
    assert!(
        g.validate([1, 32, 32])
            .unwrap_err()
            .to_string()
            .contains("3-channel")
    );
    assert!(
        g.validate([3, 30, 32])
            .unwrap_err()
            .to_string()
            .contains("multiples of 4")
    );
    assert!(
        g.validate([3, 4, 4])
            .unwrap_err()
            .to_string()
            .contains("at least 8")
    );
    let d = PatchDiscriminatorConfig::for_side(3, 256);
    let err = d.validate([3, 16, 16]).unwrap_err().to_string();
    assert!(err.contains("at least 24"), "{err}");
    assert!(d.validate([3, 24, 24]).is_ok());
}

#[test]
fn reflection_padding_mirrors_without_repeating_the_border() {
    let dev = Device::flex();
    let x = Tensor::<4>::from_data(
        TensorData::new(
            vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
            [1, 1, 3, 3],
        ),
        &dev,
    );
    // PyTorch's ReflectionPad2d(1) of [[1,2,3],[4,5,6],[7,8,9]].
    let expected = [
        5.0, 4.0, 5.0, 6.0, 5.0, //
        2.0, 1.0, 2.0, 3.0, 2.0, //
        5.0, 4.0, 5.0, 6.0, 5.0, //
        8.0, 7.0, 8.0, 9.0, 8.0, //
        5.0, 4.0, 5.0, 6.0, 5.0,
    ];
    assert_eq!(to_vec_f32(reflect_pad(x, 1)), expected);
}

#[test]
fn instance_norm_standardises_each_channel_of_each_image() {
    let dev = Device::flex();
    // Two images of two channels of 2x2 pixels.
    let values: Vec<f32> = vec![
        1.0, 2.0, 3.0, 4.0, // image 0, channel 0: mean 2.5, variance 1.25
        0.0, 0.0, 0.0, 8.0, // image 0, channel 1: mean 2, variance 12
        -1.0, 1.0, -1.0, 1.0, // image 1, channel 0: mean 0, variance 1
        5.0, 5.0, 5.0, 5.0, // image 1, channel 1: constant
    ];
    let x = Tensor::<4>::from_data(TensorData::new(values.clone(), [2, 2, 2, 2]), &dev);
    let got = to_vec_f32(instance_norm(x));
    let eps = 1e-5f64;
    let standardise = |v: f64, mean: f64, var: f64| (v - mean) / (var + eps).sqrt();
    let expected: Vec<f64> = [(2.5, 1.25), (2.0, 12.0), (0.0, 1.0), (5.0, 0.0)]
        .iter()
        .enumerate()
        .flat_map(|(k, &(mean, var))| {
            values[4 * k..4 * k + 4]
                .iter()
                .map(move |&v| standardise(v as f64, mean, var))
        })
        .collect();
    for (g, e) in got.iter().zip(&expected) {
        assert!((*g as f64 - e).abs() < 1e-5, "{got:?} vs {expected:?}");
    }
}

#[test]
fn presets_below_sixteen_pixels_fit_eight_by_eight_digits() {
    // No downsampling (2x2 maps would leave instance norm little to keep) and a one-layer
    // PatchGAN whose 2x2 logit map still covers the image.
    let model = CycleGanConfig::for_image(1, 8);
    assert_eq!(model.generator.downsamplings, 0);
    assert_eq!(model.discriminator.layers, 1);
    assert_eq!(model.discriminator.output_side(8), Some(2));
    assert!(model.validate([1, 8, 8]).is_ok());
    // The 16-pixel preset keeps the reference's two downsamplings.
    assert_eq!(ResnetGeneratorConfig::for_side(1, 16).downsamplings, 2);
}
