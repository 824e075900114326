"""The research platform's project package (named so to avoid shadowing the stdlib ``platform``)."""

import os

# One BLAS thread per process, set before numpy/scipy load OpenBLAS. The model fits work on tiny
# matrices (4-5 parameters); OpenBLAS's own thread pool only adds hand-offs, and on a busy 2-core
# machine those made each fit ~30x slower (bench: 1.6 s -> 44 ms per bart_par4 fit). Web and
# Celery already run one process per core. An explicit setting in the environment still wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from research_platform.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
