"""The compile cache verifies what it loads, and the build is portable by default.

Damage to a cache folder is done between two *separate processes* (build in one, damage, load
in another), because truncating a library that the test process itself has mapped would
crash the test runner with SIGBUS — which is exactly the failure being tested.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import her2sim as hs
from her2sim.engine import compiler

REPO = Path(__file__).resolve().parents[1]

# A tiny model, built and simulated in a child process; prints A(1) for k = 0.5, A0 = 2.
_CHILD = textwrap.dedent(
    """
    import json, warnings
    import her2sim as hs
    from her2sim.engine.compiler import compile_model
    m = hs.Model("cachetest", compartments=(hs.Compartment("c"),),
                 species=(hs.Species("A", "c", 2.0),), parameters=(hs.Parameter("k", 0.5),),
                 reactions=(hs.Reaction("r", (("A", 1),), (), hs.model.parse("k*A")),))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        cm = compile_model(m)
        ds = hs.simulate(cm, [0.0, 1.0])
    print(json.dumps({"A1": float(ds["A"][-1]), "lib": str(cm.library_path),
                      "warnings": [str(x.message) for x in w]}))
    """
)


def _child(cache: Path) -> dict:
    env = {**os.environ, "HER2SIM_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, timeout=120)
    # a crash (SIGBUS/SIGSEGV) shows as a negative return code
    assert proc.returncode == 0, f"child exited {proc.returncode}: {proc.stderr[-2000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


# oracle: A(1) = 2 e^{-0.5}; rtol 1e-6 is 100x the default solver rtol 1e-8
_EXACT = 2.0 * np.exp(-0.5)


@pytest.fixture
def built(tmp_path) -> tuple[Path, Path]:
    cache = tmp_path / "cache"
    first = _child(cache)
    assert first["A1"] == pytest.approx(_EXACT, rel=1e-6)
    return cache, Path(first["lib"]).parent


def _check_rebuilt(cache: Path, folder: Path) -> None:
    again = _child(cache)
    assert again["A1"] == pytest.approx(_EXACT, rel=1e-6)
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in ("model.so", "structure.npz", "meta.json"):
        assert compiler._sha256(folder / name) == manifest[name]


def test_truncated_library_is_rebuilt_not_loaded(built):
    cache, folder = built
    lib = folder / "model.so"
    os.truncate(lib, lib.stat().st_size // 3)
    _check_rebuilt(cache, folder)


@pytest.mark.parametrize("name, damage", [
    ("meta.json", b'{"state_ids": ['),        # truncated JSON
    ("structure.npz", b"PK\x03\x04 not a zip"),  # damaged archive
    ("manifest.json", b"[]"),                  # manifest of the wrong type
])
def test_damaged_metadata_is_rebuilt(built, name, damage):
    cache, folder = built
    (folder / name).write_bytes(damage)
    _check_rebuilt(cache, folder)


def test_planted_library_is_not_loaded(built, tmp_path):
    """A library swapped into the folder (hash differs from the manifest) is replaced, not run."""
    cache, folder = built
    src = tmp_path / "evil.c"
    marker = tmp_path / "ran"
    src.write_text(
        "#include <stdio.h>\n"
        f'__attribute__((constructor)) static void f(void) {{ FILE *h = fopen("{marker}", "w"); if (h) fclose(h); }}\n'
    )
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(folder / "model.so"), str(src)], check=True)
    _check_rebuilt(cache, folder)
    assert not marker.exists()


def test_verified_but_unloadable_library_is_rebuilt(built):
    """A library whose hash matches the manifest but that dlopen refuses (here: not ELF) is rebuilt."""
    cache, folder = built
    (folder / "model.so").write_bytes(b"not a shared object")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["model.so"] = compiler._sha256(folder / "model.so")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    _check_rebuilt(cache, folder)


def test_group_writable_cache_is_refused(built):
    cache, folder = built
    os.chmod(cache, 0o777)
    out = _child(cache)
    assert out["A1"] == pytest.approx(_EXACT, rel=1e-6)
    assert any("writable by group or others" in w for w in out["warnings"])
    assert not out["lib"].startswith(str(cache))


def test_group_writable_model_folder_is_not_loaded(built):
    cache, folder = built
    os.chmod(folder, 0o777)
    out = _child(cache)
    assert out["A1"] == pytest.approx(_EXACT, rel=1e-6)
    assert Path(out["lib"]).parent != folder


def test_folders_are_private(built):
    cache, folder = built
    for d in (cache, folder):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700
    # folders of older versions (0755: safe, but readable) are tightened and still used
    for d in (cache, folder):
        os.chmod(d, 0o755)
    out = _child(cache)
    assert Path(out["lib"]).parent == folder
    for d in (cache, folder):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_generator_sources_are_in_the_key(tmp_path, monkeypatch):
    """Editing codegen.py (not only solver.c) gives a new cache key."""
    import shutil

    here = Path(compiler.__file__).parent
    copy = tmp_path / "her2sim"
    shutil.copytree(here, copy / "engine")
    (copy / "model").mkdir()
    shutil.copy(here.parent / "model" / "math.py", copy / "model" / "math.py")
    model = hs.Model("k", compartments=(hs.Compartment("c"),), species=(hs.Species("A", "c", 1.0),))
    monkeypatch.setattr(compiler, "_HERE", copy / "engine")
    before = compiler._cache_key(model, None)
    with open(copy / "engine" / "codegen.py", "a") as fh:
        fh.write("# one more line\n")
    assert compiler._cache_key(model, None) != before
    monkeypatch.setenv("HER2SIM_NATIVE", "1")  # the flags are in the key too
    assert compiler._cache_key(model, None) != before


def test_portable_flags_by_default_and_native_opt_in(monkeypatch):
    monkeypatch.delenv("HER2SIM_NATIVE", raising=False)
    flags = compiler.compiler_flags()
    assert not any(f.startswith("-march") for f in flags)
    assert "-ffp-contract=off" in flags
    monkeypatch.setenv("HER2SIM_NATIVE", "1")
    assert "-march=native" in compiler.compiler_flags()


def test_native_and_portable_builds_agree_on_a_peer_model(peer_models, monkeypatch):
    """Kholodenko 1999 (EGFR, 23 species) over 0-120 s at rtol 1e-8 with both builds.

    Oracle: the portable build. The two differ only by rounding (FMA contraction, vector
    instructions), which the adaptive step control may amplify; both solutions are within
    ~rtol of the exact one, so they must agree within 1e-6 relative (100x rtol) on every
    species above 1e-9 of its maximum. Measured difference: see the assertion message.
    """
    model = hs.read_sbml(peer_models / "kholodenko1999/BIOMD0000000048.xml")
    times = np.linspace(0, 120, 61)
    monkeypatch.delenv("HER2SIM_NATIVE", raising=False)
    portable_cm = compiler.CompiledModel(model)
    portable = hs.simulate(portable_cm, times)
    monkeypatch.setenv("HER2SIM_NATIVE", "1")
    native_cm = compiler.CompiledModel(model)
    assert native_cm.library_path != portable_cm.library_path  # two builds, two cache entries
    native = hs.simulate(native_cm, times)
    worst = 0.0
    for name in portable.data_vars:
        if name == "status":
            continue
        a, b = portable[name].values, native[name].values
        scale = np.max(np.abs(a))
        mask = np.abs(a) > 1e-9 * scale
        if mask.any():
            worst = max(worst, float(np.max(np.abs(a[mask] - b[mask]) / np.abs(a[mask]))))
    print(f"max relative difference native vs portable: {worst:.3g}")
    assert worst <= 1e-6, f"max relative difference native vs portable: {worst:.3g}"


# Generates one model's C source (plain and forward-sensitivity systems) and prints its SHA-256.
_GENERATE = textwrap.dedent(
    """
    import hashlib, sys, warnings
    import her2sim as hs
    from her2sim.engine import codegen
    warnings.simplefilter("ignore")
    m = hs.read_sbml(sys.argv[1])
    h = hashlib.sha256(codegen.generate(m).source.encode())
    h.update(codegen.generate(m, sensitivity=(2, (0, 1, 2))).source.encode())
    print(h.hexdigest())
    """
)


@pytest.mark.parametrize("name", ["fujita2010/BIOMD0000000262.xml", "kholodenko1999/BIOMD0000000048.xml"])
def test_generated_source_does_not_depend_on_the_hash_seed(peer_models, name):
    """The cache key hashes the model, not the C: a source that changed with ``PYTHONHASHSEED``
    (set iteration order) would give different binaries, and different last bits, for one key.

    Oracle: byte equality of the sources generated in three processes with different hash
    seeds. Before the generator iterated in a fixed order, Fujita 2010's source differed under
    each of seeds 1, 2 and 3 (the order of the Jacobian's chain-rule locals).
    """
    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO / "src")}
        proc = subprocess.run(
            [sys.executable, "-c", _GENERATE, str(peer_models / name)],
            env=env, capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        digests.add(proc.stdout.strip().splitlines()[-1])
    assert len(digests) == 1, f"{name}: {len(digests)} different sources under 3 hash seeds"
