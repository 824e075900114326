"""The benchmark's hooks stay out of production: no naive endpoint there, one BLAS thread per process."""

import os
import subprocess
import sys
import uuid

import pytest
from django.urls import Resolver404, resolve


def test_the_naive_endpoint_is_not_mounted_in_production_urls():
    with pytest.raises(Resolver404):
        resolve(f"/bench/naive/sessions/{uuid.uuid4()}/events/", urlconf="research_platform.urls_tenants")


def test_the_project_package_pins_blas_to_one_thread_unless_configured():
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    code = "import os, research_platform; print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"]
    env["OPENBLAS_NUM_THREADS"] = "4"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["4", "1"]
