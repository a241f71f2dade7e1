//! Backend selection without a GPU: never a panic, always a reason.

use cherenkov::backend::{availability, cuda, Backend};
use cherenkov::{Engine, Error};

#[test]
fn cuda_without_a_usable_gpu_is_an_error_with_a_reason() {
    match cuda::open(0) {
        Ok(dev) => {
            // A GPU machine: cuda resolves and auto picks it.
            assert!(matches!(Backend::Cuda.engine(), Ok(Engine::Gpu(_))), "{}", dev.name());
            assert_eq!(Backend::Auto.engine().unwrap().kind(), Backend::Cuda);
        }
        Err(why) => {
            let reason = why.to_string();
            assert!(!reason.is_empty());
            match Backend::Cuda.engine() {
                Err(Error::BackendUnavailable { backend: Backend::Cuda, reason: r }) => assert_eq!(r, reason),
                other => panic!("expected BackendUnavailable, got {other:?}"),
            }
            assert_eq!(Backend::Auto.engine().unwrap().kind(), Backend::Cpu);
        }
    }
}

#[test]
fn availability_lists_every_backend() {
    let a = availability();
    let names: Vec<String> = a.iter().map(|x| x.backend.to_string()).collect();
    assert_eq!(names, ["cpu", "emu", "cuda", "auto"]);
    assert!(a[0].available && a[1].available);
    assert!(a.iter().all(|x| !x.detail.is_empty()));
}

#[test]
fn emu_is_explicit_and_configurable() {
    let e = Backend::Emu.engine().unwrap();
    assert_eq!(e.kind(), Backend::Emu);
    assert!(e.name().starts_with("emu"));
    assert_eq!("random:7".parse::<cherenkov::backend::Schedule>().unwrap(), cherenkov::backend::Schedule::Random(7));
    assert!("sideways".parse::<cherenkov::backend::Schedule>().is_err());
}
