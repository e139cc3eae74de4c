"""Running many subjects: kernels, one subject's job, worker backends, the run manifest and verify."""
