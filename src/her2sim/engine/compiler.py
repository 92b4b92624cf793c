"""Compile a model to a shared library, cache it on disk, and call it through ctypes.

The cache key is the model's *structure* (ids, stoichiometry, math; not values) plus the
generator's own sources (every ``.py``/``.c``/``.h`` file of :mod:`her2sim.engine` and
``model/math.py``) and the compiler flags, so a new dose, tumour or parameter set reuses the
library. The cache lives in ``$HER2SIM_CACHE_DIR`` or ``~/.cache/her2sim``. A
:class:`CompiledModel` pickles as its model; unpickling reloads (or rebuilds) the library, so
compiled models travel to worker processes (Dask, multiprocessing).

**Instruction set (decision).** Libraries are compiled for the baseline of the machine's
architecture (no ``-march``), with ``-ffp-contract=off`` so that no fused multiply-add changes
the rounding: the same gcc gives bit-identical results on every x86-64 CPU, and the test
suite's tolerances hold everywhere. ``HER2SIM_NATIVE=1`` opts in to ``-march=native`` (FMA,
AVX2...) for speed on one machine; its results differ from the portable build in the last
bits, which the adaptive step-size control can amplify to about the solver's tolerance
(measured on a peer model in ``tests/test_engine_cache.py``). The native build's key includes
the CPU's model and feature flags, so a cache shared between machines never loads a foreign
library.

**A cache that verifies what it loads.** Each cache folder holds ``model.so``,
``structure.npz``, ``meta.json`` and ``manifest.json``, the SHA-256 of the other three,
written last. Before ``dlopen`` the three files are hashed and compared with the manifest; any
mismatch, unreadable file or load failure rebuilds the folder (a truncated library would
otherwise crash the process with SIGBUS). Files are fsynced before their atomic rename.
Folders are created 0700; a cache root or folder owned by another user, or writable by group
or others, is never loaded from: her2sim warns and uses a private temporary cache instead.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import stat
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy

from ..errors import (
    CompilationError,
    Her2simError,
    Her2simWarning,
    ModelError,
    UnknownNameError,
    UnsupportedFeatureError,
    ValidationError,
)
from ..model import Model

__all__ = ["CompiledModel", "compile_model", "cache_dir", "compiler_flags", "Options"]

ENGINE_VERSION = "7"  # 7: input-only subexpressions cached per integration segment (codegen._ParamCache); 3: SBML event semantics, safe power derivatives; 4: cold functions of large models at -O0; 5: time breakpoints, rateOf, fast reactions, event sensitivities, delay(); 6: deterministic emission order, hoisted reciprocals, selected outputs only, reciprocal pivots, straight-line LU to 20k operations
_HERE = Path(__file__).resolve().parent
#: Flags of every build; see the module docstring for the instruction-set decision.
CFLAGS = ["-fPIC", "-shared", "-fno-math-errno", "-ffp-contract=off", "-std=gnu99"]
#: Added when ``HER2SIM_NATIVE`` is set to 1/true/yes.
NATIVE_FLAGS = ["-march=native"]
#: Optimisation level by generated-source size: -O3 halves the solver's instruction count on
#: a 47-species model against -O2's tape loops, but gcc's time grows super-linearly on very
#: large generated functions (Chen 2009: 20 s at -O2/-O3, 11 s at -O1), where the run is
#: dominated by the sparse LU tape anyway.
LARGE_SOURCE = 200_000
#: Above ``LARGE_SOURCE``, in plain models (not sensitivity systems), the generated functions
#: called once per Jacobian, member or output time (``model_jac``, ``model_init``, ``model_outputs``; marked ``H2_COLD`` by the generator)
#: are compiled without optimisation: on Chen 2009 (400 kB of C) they are three quarters of
#: gcc's time at -O1 (5.6 s -> 1.6 s of CPU), while the run is dominated by the right-hand
#: side and the LU tape, which stay at -O1. Optimisation levels do not change the arithmetic
#: (no fast-math, ``-ffp-contract=off``), so the results are bit-identical.
COLD_ATTRIBUTE = '-DH2_COLD=__attribute__((optimize("O0")))'
#: ``HER2SIM_OPT_LEVEL`` (e.g. ``-O0``) overrides the level: gcc at -O0 takes a quarter of -O3's time
#: (0.3 s against 1.3 s per model), which is what a run over hundreds of tiny models (the SBML Test
#: Suite) needs; the generated code then runs several times slower. Part of the cache key.
_OPT_ENV = "HER2SIM_OPT_LEVEL"
_LOCK = threading.Lock()
_LOADED: dict[tuple[str, str], ctypes.CDLL] = {}
_FALLBACK: dict[str, Path] = {}
_FILES = ("model.so", "structure.npz", "meta.json")


def native_requested() -> bool:
    """Whether ``HER2SIM_NATIVE`` asks for ``-march=native`` builds."""
    return os.environ.get("HER2SIM_NATIVE", "").strip().lower() in ("1", "true", "yes", "on")


def compiler_flags() -> list[str]:
    """Compiler flags of the next build (without the optimisation level)."""
    return CFLAGS + (NATIVE_FLAGS if native_requested() else [])


def _unsafe_reason(path: Path) -> str | None:
    """Why ``path`` (an existing directory) must not be trusted, or None."""
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        return "is not a plain directory"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"is owned by uid {st.st_uid}, not by the current user (uid {os.getuid()})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def _tighten(path: Path) -> None:
    """Make an own, safe folder 0700 (folders of older her2sim versions were 0755)."""
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o700)
    except OSError:
        pass


def cache_dir() -> Path:
    """The compile cache: ``$HER2SIM_CACHE_DIR`` or ``~/.cache/her2sim``, created 0700.

    A folder owned by another user or writable by group/others is not used (a library planted
    there would run its code in this process): her2sim warns once and uses a private temporary
    folder for this process instead.
    """
    env = os.environ.get("HER2SIM_CACHE_DIR")
    base = Path(env) if env else Path.home() / ".cache" / "her2sim"
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        reason = _unsafe_reason(base)
    except OSError as exc:
        reason = f"cannot be created ({exc.strerror})"
    if reason is None:
        _tighten(base)
        return base
    key = str(base)
    if key not in _FALLBACK:
        _FALLBACK[key] = Path(tempfile.mkdtemp(prefix="her2sim-cache-"))
        warnings.warn(
            f"the compile cache {key!r} {reason}; it is not used. Compiled models go to the private "
            f"folder {str(_FALLBACK[key])!r} for this process. Fix: chmod 700 the folder (or set "
            "HER2SIM_CACHE_DIR to a folder of your own).",
            Her2simWarning,
            stacklevel=2,
        )
    return _FALLBACK[key]


class _Structure(ctypes.Structure):
    _fields_ = [
        ("nlu", ctypes.c_int),
        ("njac", ctypes.c_int),
        ("jac_to_lu", ctypes.c_void_p),
        ("diag", ctypes.c_void_p),
        ("perm", ctypes.c_void_p),
        ("ntape", ctypes.c_int),
        ("tape", ctypes.c_void_p),
        ("l_ptr", ctypes.c_void_p),
        ("l_col", ctypes.c_void_p),
        ("l_slot", ctypes.c_void_p),
        ("u_ptr", ctypes.c_void_p),
        ("u_col", ctypes.c_void_p),
        ("u_slot", ctypes.c_void_p),
        ("jac_row", ctypes.c_void_p),
        ("jac_col", ctypes.c_void_p),
    ]


class Options(ctypes.Structure):
    """Solver options as passed to C (see ``solver.c``)."""

    _fields_ = [
        ("rtol", ctypes.c_double),
        ("atol", ctypes.c_double),
        ("h_max", ctypes.c_double),
        ("max_steps", ctypes.c_long),
        ("ss_rtol", ctypes.c_double),
        ("ss_atol", ctypes.c_double),
        ("ss_tmax", ctypes.c_double),
        ("ss_max_steps", ctypes.c_long),
        ("max_events", ctypes.c_int),
        ("atol_scale", ctypes.c_void_p),
    ]


_P = ctypes.c_void_p


def _ptr(a: np.ndarray | None):
    return None if a is None else a.ctypes.data


def _cpu_identity() -> str:
    """Model name and feature flags of this CPU: part of the cache key because of -march=native,
    so a cache directory shared between different machines never loads a foreign library."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        import platform

        return platform.machine() + platform.processor()
    wanted = ("model name", "flags", "Features", "CPU part")
    lines = sorted({ln.strip() for ln in text.splitlines() if ln.split(":")[0].strip() in wanted})
    return "\n".join(lines)


def _compiler() -> str:
    for cc in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if cc and shutil.which(cc):
            return cc
    raise CompilationError(
        "no C compiler found (tried $CC, cc, gcc, clang). her2sim compiles each model to C; "
        "install gcc (Debian: apt-get install gcc)."
    )


def _generator_sources() -> bytes:
    """Bytes of every file that shapes the generated library: the engine's Python, C and
    header files and the model math module (printing of functions)."""
    files = sorted(p for p in _HERE.iterdir() if p.suffix in (".py", ".c", ".h"))
    files.append(_HERE.parent / "model" / "math.py")
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.digest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_verified(folder: Path) -> "_Artifacts | None":
    """The folder's artefacts if the manifest's hashes match, else None (caller rebuilds)."""
    try:
        if _unsafe_reason(folder) is not None:
            return None
        manifest = json.loads((folder / "manifest.json").read_text())
        for name in _FILES:
            if _sha256(folder / name) != manifest.get(name):
                return None
        meta = json.loads((folder / "meta.json").read_text())
        with np.load(io.BytesIO((folder / "structure.npz").read_bytes()), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        if not isinstance(meta, dict):
            return None
        return _Artifacts(folder / "model.so", meta, arrays, manifest["model.so"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError):
        return None
    except Exception:  # a damaged zip raises zipfile.BadZipFile and friends
        return None


@dataclass
class _Artifacts:
    lib_path: Path
    meta: dict
    arrays: dict[str, np.ndarray]
    lib_sha256: str = ""


def _math_items(model: Model):
    """(element description, expression) for every expression the generator prints."""
    for r in model.reactions:
        yield f"<reaction> {r.id!r} (rate)", r.rate
    for a in model.assignment_rules:
        yield f"<assignmentRule> {a.variable!r}", a.math
    for a in model.rate_rules:
        yield f"<rateRule> {a.variable!r}", a.math
    for a in getattr(model, "initial_assignments", ()):
        yield f"<initialAssignment> {a.symbol!r}", a.math
    for e in model.events:
        yield f"<event> {e.id!r} (trigger)", e.trigger
        for v, m in e.assignments:
            yield f"<event> {e.id!r} (assignment to {v!r})", m


def check_generatable(model: Model) -> None:
    """Refuse, naming the element, what would otherwise reach the C compiler as broken code.

    Checked: stoichiometries are finite numbers; no expression holds a complex number
    (``sqrt(-1)``), an undefined value (``1/0``, ``ln(0)``, ``0^-1`` simplify to sympy's
    ``zoo``/``nan``) or a factorial of a variable (C has none).

    Raises
    ------
    ModelError
        For non-finite stoichiometry or undefined/complex math.
    UnsupportedFeatureError
        For ``factorial`` of a non-constant argument.
    """
    for r in model.reactions:
        for side, refs in (("reactant", r.reactants), ("product", r.products)):
            for species, coefficient in refs:
                try:
                    ok = np.isfinite(float(coefficient))
                except (TypeError, ValueError):
                    ok = False
                if not ok:
                    raise ModelError(
                        f"model {model.id!r}: <reaction> {r.id!r}: stoichiometry of {side} {species!r} is "
                        f"{coefficient!r}; it must be a finite number"
                    )
    for where, expr in _math_items(model):
        if not isinstance(expr, sympy.Basic):
            continue
        # an explicit <notanumber/> (the whole expression) is valid SBML with a NaN result; NaN or complex
        # infinity arising inside an expression is a mistake in the model
        if expr.has(sympy.zoo) or (expr.has(sympy.nan) and expr is not sympy.nan):
            raise ModelError(
                f"model {model.id!r}: {where}: the math is undefined everywhere ({expr}: a division by zero, log(0) "
                "or 0^negative); correct the expression"
            )
        if expr.has(sympy.I):
            raise ModelError(
                f"model {model.id!r}: {where}: the math is complex-valued ({expr}, e.g. the square root of a "
                "negative constant); her2sim simulates real-valued models only"
            )
        for f in expr.atoms(sympy.factorial):
            raise UnsupportedFeatureError(
                f"model {model.id!r}: {where}: factorial({f.args[0]}) of a variable cannot be compiled; "
                "use a constant argument or gamma(x + 1)"
            )


def _opt_override() -> str:
    """The optimisation level forced by ``HER2SIM_OPT_LEVEL`` (e.g. ``-O0`` for many tiny models), or ''."""
    opt_override = os.environ.get(_OPT_ENV, "")
    if opt_override and opt_override not in ("-O0", "-O1", "-O2", "-O3", "-Os"):
        raise CompilationError(f"{_OPT_ENV}={opt_override!r}: allowed values are -O0, -O1, -O2, -O3, -Os")
    return opt_override


def _cache_key(model: Model, sensitivity: tuple[int, tuple[int, ...]] | None, adjoint: bool = False) -> str:
    key_src = hashlib.sha256()
    key_src.update(ENGINE_VERSION.encode())
    key_src.update(model.fingerprint(structure_only=True).encode())
    if sensitivity is not None:
        key_src.update(f"sensitivity:{sensitivity[0]}:{','.join(map(str, sensitivity[1]))}".encode())
    if adjoint:
        key_src.update(b"adjoint")
    key_src.update(_generator_sources())
    flags = compiler_flags()
    key_src.update(" ".join(flags + [str(LARGE_SOURCE), COLD_ATTRIBUTE]).encode())
    opt_override = _opt_override()
    if opt_override:
        key_src.update(f"opt:{opt_override}".encode())
    if NATIVE_FLAGS[0] in flags:
        key_src.update(_cpu_identity().encode())
    return key_src.hexdigest()[:24]


def _build(
    model: Model, sensitivity: tuple[int, tuple[int, ...]] | None = None, *, force: bool = False, adjoint: bool = False
) -> _Artifacts:
    key = _cache_key(model, sensitivity, adjoint)
    root = cache_dir()
    folder = root / key
    if folder.exists() and _unsafe_reason(folder) is not None:
        # a folder planted by someone else (or opened up): never load from it
        folder = Path(tempfile.mkdtemp(prefix=key + "-", dir=root))
    elif folder.exists():
        _tighten(folder)
    if not force:
        art = _read_verified(folder)
        if art is not None:
            return art

    from .codegen import generate

    check_generatable(model)
    try:
        gen = generate(model, sensitivity, adjoint=adjoint)
    except Her2simError:
        raise
    except NotImplementedError as exc:  # sympy's printer: a construct without a C translation
        raise UnsupportedFeatureError(
            f"model {model.id!r}: math that cannot be compiled to C ({str(exc).splitlines()[0][:200]})"
        ) from None
    source = gen.source + '\n#include "solver.c"\n' + ('#include "adjoint.c"\n' if adjoint else "")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        tmpd = Path(tmp)
        c_path = tmpd / "model.c"
        c_path.write_text(source)
        shutil.copy(_HERE / "solver.c", tmpd / "solver.c")
        if adjoint:
            shutil.copy(_HERE / "adjoint.c", tmpd / "adjoint.c")
        out = tmpd / "model.so"
        large = len(source) >= LARGE_SOURCE
        opt = _opt_override() or ("-O3" if not large else "-O1")
        # not for sensitivity systems: their outputs and Jacobian carry the sensitivities and are
        # evaluated at every output time of every member of every gradient (Raimundez 2020's
        # value + gradient measured 19 % slower with them at -O0)
        cold = [COLD_ATTRIBUTE] if large and sensitivity is None and not _opt_override() else []
        cmd = [_compiler(), opt, *compiler_flags(), *cold, "-o", str(out), str(c_path), "-lm"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise CompilationError(
                f"compiling model {model.id!r} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
            )
        lay = gen.layout
        meta = {
            "model_id": model.id,
            "state_ids": lay.state_ids,
            "state_species": lay.state_species,
            "param_ids": lay.param_ids,
            "init_ids": lay.init_ids,
            "output_ids": lay.output_ids,
            "output_kinds": lay.output_kinds,
            "event_ids": lay.event_ids,
            "n_p": lay.n_p,
            "njac": int(len(gen.jac_rows)),
            "p_dynamic": lay.p_dynamic,
            "n_dir": lay.n_dir,
            "wrt": lay.wrt,
        }
        np.savez(tmpd / "structure.npz", **gen.structure)
        _write_synced(tmpd / "meta.json", json.dumps(meta).encode())
        _fsync(out)
        _fsync(tmpd / "structure.npz")
        manifest = {name: _sha256(tmpd / name) for name in _FILES}
        _write_synced(tmpd / "manifest.json", json.dumps(manifest).encode())
        shutil.copy(c_path, folder / "model.c")
        # atomic publication, manifest last: a reader that finds the manifest finds the files it
        # names (or, after a crash between renames, a mismatch that triggers a rebuild)
        (folder / "manifest.json").unlink(missing_ok=True)
        for name in _FILES:
            os.replace(tmpd / name, folder / name)
        os.replace(tmpd / "manifest.json", folder / "manifest.json")
        _fsync(folder)
    art = _read_verified(folder)
    if art is None:
        raise CompilationError(
            f"the compiled library of model {model.id!r} in {str(folder)!r} failed verification right after "
            "its build (another process writing the same folder, or a full disk?); retry, or set "
            "HER2SIM_CACHE_DIR to another folder"
        )
    return art


def _default_p(model: Model, meta: dict) -> np.ndarray:
    from .codegen import lower

    model = lower(model)  # the compiled model: fast reactions add pool parameters
    values: dict[str, float] = {}
    for c in model.compartments:
        values[c.id] = float(c.size)
    for p in model.parameters:
        values[p.id] = float(p.value)
    p = np.empty(meta["n_p"])
    for j, k in enumerate(meta["param_ids"]):
        p[j] = values[k]
    base = len(meta["param_ids"])
    species = {s.id: s for s in model.species}
    for j, k in enumerate(meta["init_ids"]):
        p[base + j] = float(species[k].initial) if k in species else values[k]
    return p


class CompiledModel:
    """A model's compiled library plus index maps and default runtime inputs.

    Attributes
    ----------
    model : Model
    state_ids, param_ids, output_ids : list of str
    p_default : numpy.ndarray
        Parameter vector from the model's values: parameters and compartment sizes, then one
        initial value per state (species in their declared initial unit).
    """

    def __init__(self, model: Model, sensitivity: tuple[int, tuple[int, ...]] | None = None, adjoint: bool = False):
        self.model = model
        #: compiled with the adjoint solver (engine/adjoint.c, see her2sim.engine.adjoint)
        self.adjoint = bool(adjoint)
        if sensitivity is not None:
            sensitivity = (int(sensitivity[0]), tuple(int(j) for j in sensitivity[1]))
        self.sensitivity = sensitivity
        art = _build(model, sensitivity, adjoint=self.adjoint)
        self._art = art
        meta = art.meta
        self.state_ids: list[str] = meta["state_ids"]
        self.param_ids: list[str] = meta["param_ids"]
        self.init_ids: list[str] = meta["init_ids"]
        self.output_ids: list[str] = meta["output_ids"]
        self.output_kinds: list[str] = meta["output_kinds"]
        self.event_ids: list[str] = meta["event_ids"]
        #: per p slot: does the state depend on it (right-hand side, initial state, events)?
        self.p_dynamic = np.asarray(meta["p_dynamic"], dtype=bool)
        #: forward sensitivities: number of directions and differentiated p slots (0, [] if plain)
        self.n_dir = int(meta["n_dir"])
        self.wrt: list[int] = list(meta["wrt"])
        self.n_x_base = len(self.state_ids)
        self.n_p_base = int(meta["n_p"])
        self.n_x = self.n_x_base * (1 + self.n_dir)
        self.n_p = self.n_p_base + self.n_dir * len(self.wrt)
        self.n_out = len(self.output_ids)
        self.n_out_base = self.n_out // (1 + self.n_dir + len(self.wrt)) if sensitivity is not None else self.n_out
        self.p_default = np.concatenate([_default_p(model, meta), np.zeros(self.n_p - self.n_p_base)])
        self._p_index = {k: j for j, k in enumerate(self.param_ids)}
        base = len(self.param_ids)
        self._init_index = {k: base + j for j, k in enumerate(self.init_ids)}
        self._out_index = {k: j for j, k in enumerate(self.output_ids)}
        self.atol_scale = self._atol_scale()
        self._load()

    def _atol_scale(self) -> np.ndarray:
        """Per-state factor on atol: the compartment size for concentration species.

        The state holds amounts; multiplying by the (default) compartment size makes ``atol``
        an absolute tolerance on concentrations, the unit users read.
        """
        species = {s.id: s for s in self.model.species}
        sizes = {c.id: float(c.size) for c in self.model.compartments}
        scale = np.ones(self.n_x_base)
        for i, ident in enumerate(self.state_ids):
            s = species.get(ident)
            if s is not None and not s.has_only_substance_units:
                v = sizes.get(s.compartment, 1.0)
                if np.isfinite(v) and v > 0:
                    scale[i] = v
        return np.tile(scale, 1 + self.n_dir)

    # ------------------------------------------------------------------ loading
    def _dlopen(self) -> ctypes.CDLL:
        key = (str(self._art.lib_path), self._art.lib_sha256)
        with _LOCK:
            lib = _LOADED.get(key)
            if lib is None:
                lib = ctypes.CDLL(key[0])
                for name in ("run_ensemble", "eval_point", "eval_outputs_at", "eval_init"):
                    getattr(lib, name)  # AttributeError if the library is not ours
                _LOADED[key] = lib
        return lib

    def _load(self) -> None:
        try:
            lib = self._dlopen()
        except (OSError, AttributeError):
            # verified but not loadable (wrong architecture, missing symbol...): rebuild once
            self._art = _build(self.model, self.sensitivity, force=True, adjoint=self.adjoint)
            try:
                lib = self._dlopen()
            except (OSError, AttributeError) as exc:
                raise CompilationError(
                    f"the compiled library of model {self.model.id!r} cannot be loaded: {exc}"
                ) from None
        self._lib = lib
        arr = {k: np.ascontiguousarray(v, dtype=np.int32) for k, v in self._art.arrays.items()}
        self._arrays = arr  # keep alive: the C struct points into these
        s = _Structure()
        s.nlu = int(arr["nlu"][0])
        s.njac = int(self._art.meta["njac"])
        s.jac_to_lu = _ptr(arr["jac_to_lu"])
        s.diag = _ptr(arr["diag"])
        s.perm = _ptr(arr["perm"])
        s.ntape = int(arr["tape"].size // 3)
        s.tape = _ptr(arr["tape"])
        for name in ("l_ptr", "l_col", "l_slot", "u_ptr", "u_col", "u_slot", "jac_row", "jac_col"):
            setattr(s, name, _ptr(arr[name]))
        self._struct = s
        lib.run_ensemble.restype = None
        lib.run_ensemble.argtypes = [
            ctypes.POINTER(_Structure), ctypes.POINTER(Options), ctypes.c_int, ctypes.c_int,
            _P, _P, _P, ctypes.c_int, _P, ctypes.c_int, _P, _P, _P, ctypes.c_int, _P, _P, _P, _P, _P,
        ]
        lib.eval_point.restype = None
        lib.eval_point.argtypes = [ctypes.c_double, _P, _P, _P, _P]
        lib.eval_outputs_at.restype = None
        lib.eval_outputs_at.argtypes = [ctypes.c_double, _P, _P, _P]
        lib.eval_init.restype = None
        lib.eval_init.argtypes = [ctypes.c_double, _P, _P]

    def __getstate__(self) -> dict:
        return {"model": self.model, "sensitivity": self.sensitivity, "adjoint": self.adjoint}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["model"], state.get("sensitivity"), state.get("adjoint", False))  # type: ignore[misc]

    def __repr__(self) -> str:
        return (
            f"CompiledModel({self.model.id!r}, states={self.n_x}, inputs={self.n_p}, "
            f"jacobian_nnz={self._struct.njac}, lu_nnz={self._struct.nlu}, library={self._art.lib_path.name})"
        )

    @property
    def library_path(self) -> Path:
        return self._art.lib_path

    @property
    def jacobian_pattern(self) -> tuple[np.ndarray, np.ndarray]:
        return self._arrays["jac_row"], self._arrays["jac_col"]

    # ------------------------------------------------------------------ vectors
    def p_index(self, ident: str, *, argument: str = "parameters") -> int:
        """Index in ``p`` of a parameter/compartment id (runtime input)."""
        j = self._p_index.get(ident)
        if j is None:
            raise UnknownNameError(argument, ident, self._p_index)
        return j

    def init_index(self, ident: str, *, argument: str = "initial") -> int:
        j = self._init_index.get(ident)
        if j is None:
            raise UnknownNameError(argument, ident, self._init_index)
        return j

    def output_index(self, ident: str, *, argument: str = "outputs") -> int:
        j = self._out_index.get(ident)
        if j is None:
            raise UnknownNameError(argument, ident, self._out_index)
        return j

    def parameter_vector(self, parameters=None, initial=None) -> np.ndarray:
        p = self.p_default.copy()
        for argument, values, index in (("parameters", parameters, self.p_index), ("initial", initial, self.init_index)):
            for k, v in (values or {}).items():
                j = index(k)
                if v is None or isinstance(v, (str, bytes)):
                    raise ValidationError(f"{argument}[{k!r}] must be a number, got {v!r}")
                try:
                    p[j] = float(v)
                except (TypeError, ValueError):
                    raise ValidationError(f"{argument}[{k!r}] must be a number, got {v!r:.200}") from None
        return p

    # ------------------------------------------------------------------ point evaluations
    def initial_state(self, p: np.ndarray, t0: float = 0.0) -> np.ndarray:
        p = np.array(p, dtype=float)
        x = np.zeros(self.n_x)
        self._lib.eval_init(float(t0), _ptr(p), _ptr(x))
        return x

    def rhs(self, t: float, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=float)
        p = np.array(p, dtype=float)
        dx = np.zeros(self.n_x)
        self._lib.eval_point(float(t), _ptr(x), _ptr(p), _ptr(dx), None)
        return dx

    def jacobian(self, t: float, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Dense Jacobian (for tests and analysis)."""
        x = np.ascontiguousarray(x, dtype=float)
        p = np.array(p, dtype=float)
        vals = np.zeros(max(self._struct.njac, 1))
        self._lib.eval_point(float(t), _ptr(x), _ptr(p), None, _ptr(vals))
        J = np.zeros((self.n_x_base, self.n_x_base))
        r, c = self.jacobian_pattern
        np.add.at(J, (r, c), vals[: len(r)])
        return J

    def outputs_at(self, t: float, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=float)
        p = np.array(p, dtype=float)
        out = np.zeros(max(self.n_out, 1))
        self._lib.eval_outputs_at(float(t), _ptr(x), _ptr(p), _ptr(out))
        return out[: self.n_out]

    # ------------------------------------------------------------------ runs
    def run(
        self,
        P: np.ndarray,
        t_out: np.ndarray,
        sel: np.ndarray,
        options: Options,
        *,
        P_pre: np.ndarray | None = None,
        X0: np.ndarray | None = None,
        schedule: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        n_threads: int = 1,
        chunk: int | None = None,
        want_final_state: bool = False,
    ) -> dict[str, np.ndarray]:
        """Run members ``P`` (n_members × n_p) in compiled code; threads split the members."""
        P = np.ascontiguousarray(P, dtype=float)
        n_members = P.shape[0]
        if P.shape[1] != self.n_p:
            raise ValueError(f"P has {P.shape[1]} columns, the model has {self.n_p} inputs")
        t_out = np.ascontiguousarray(t_out, dtype=float)
        sel = np.ascontiguousarray(sel, dtype=np.int32)
        P_pre = None if P_pre is None else np.ascontiguousarray(P_pre, dtype=float)
        X0 = None if X0 is None else np.ascontiguousarray(X0, dtype=float)
        if schedule is None:
            st = np.zeros(0)
            si = np.zeros(0, dtype=np.int32)
            sv = np.zeros(0)
        else:
            st, si, sv = (np.ascontiguousarray(a) for a in schedule)
            si = si.astype(np.int32)
        out = _OUTPUTS.empty((n_members, t_out.size, sel.size)) if n_members > 1 else np.empty((1, t_out.size, sel.size))
        status = np.zeros(n_members, dtype=np.int32)
        stats = np.zeros((n_members, 6))
        xf = np.zeros((n_members, self.n_x)) if want_final_state else None
        sref = ctypes.byref(self._struct)
        options = Options.from_buffer_copy(options)  # never mutate the caller's options
        if not options.atol_scale:
            options.atol_scale = _ptr(self.atol_scale)
        oref = ctypes.byref(options)

        def work(a: int, b: int) -> None:
            self._lib.run_ensemble(
                sref, oref, a, b, _ptr(P), _ptr(P_pre), _ptr(X0), t_out.size, _ptr(t_out), st.size,
                _ptr(st), _ptr(si), _ptr(sv), sel.size, _ptr(sel), _ptr(out), _ptr(status), _ptr(stats), _ptr(xf),
            )

        n_threads = max(1, min(int(n_threads), n_members))
        if n_threads == 1:
            work(0, n_members)
        else:
            from concurrent.futures import ThreadPoolExecutor

            size = chunk or max(1, min(256, -(-n_members // (n_threads * 8))))
            bounds = [(a, min(a + size, n_members)) for a in range(0, n_members, size)]
            with ThreadPoolExecutor(max_workers=n_threads) as ex:
                list(ex.map(lambda ab: work(*ab), bounds))
        result = {"out": out, "status": status, "stats": stats}
        if xf is not None:
            result["x_final"] = xf
        return result


class _OutputPool:
    """Output memory of ensembles, reused once the arrays handed out are gone.

    An ensemble's output (members x times x outputs, 180 MB for 2,000 flagship members with every
    species) was a fresh ``np.empty`` per call, and the kernel zeroes each fresh page on its first
    write: on the 2-core benchmark machine that was ~25 % of the ensemble's time (``clear_page``
    in ``perf``), more than the right-hand side. Here the memory is an anonymous ``mmap`` that the
    pool keeps; a later call of similar size reuses it when no array refers to it any more. "No
    array" is exact: every array viewing the buffer holds a reference to it (``np.frombuffer``
    bases, which views collapse to), so its reference count is the pool's own while, and only
    while, nothing else can read it. At most ``MAX_BUFFERS`` buffers of at most ``MAX_BYTES`` are
    kept; smaller outputs (single runs) use ``np.empty``.
    """

    MIN_BYTES = 1 << 20
    MAX_BYTES = 1 << 30
    MAX_BUFFERS = 2

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffers: list = []

    def empty(self, shape: tuple[int, ...]) -> np.ndarray:
        import mmap
        import sys

        count = int(np.prod(shape))
        nbytes = count * 8
        if not self.MIN_BYTES <= nbytes <= self.MAX_BYTES:
            return np.empty(shape)
        with self._lock:
            chosen = None
            for buf in self._buffers:
                # references while idle: the list, this loop's name and getrefcount's argument
                if nbytes <= len(buf) <= 2 * nbytes and sys.getrefcount(buf) <= 3:
                    chosen = buf
                    break
            if chosen is None:
                idle = [b for b in self._buffers if sys.getrefcount(b) <= 3]
                if len(self._buffers) >= self.MAX_BUFFERS and idle:
                    self._buffers.remove(idle[0])
                chosen = mmap.mmap(-1, nbytes)
                if len(self._buffers) < self.MAX_BUFFERS:
                    self._buffers.append(chosen)
            else:
                self._buffers.remove(chosen)
                self._buffers.append(chosen)  # most recently used last
            return np.frombuffer(chosen, dtype=float, count=count).reshape(shape)


_OUTPUTS = _OutputPool()


_COMPILED: dict[tuple, CompiledModel] = {}


def compile_model(
    model: Model, sensitivity: tuple[int, tuple[int, ...]] | None = None, *, adjoint: bool = False
) -> CompiledModel:
    """Compile ``model`` (or fetch it from the in-memory and on-disk caches).

    ``sensitivity=(n_dir, wrt)`` compiles the forward-sensitivity system instead (see
    :func:`her2sim.engine.codegen.generate`); with ``adjoint=True`` (and ``n_dir = 0``) the
    library also holds the adjoint solver (:mod:`her2sim.engine.adjoint`).
    """
    sens_key = None if sensitivity is None else (int(sensitivity[0]), tuple(int(j) for j in sensitivity[1]))
    key = (id(model), model.fingerprint(), sens_key, bool(adjoint))
    cm = _COMPILED.get(key)
    if cm is not None and cm.model is model:
        return cm
    cm = CompiledModel(model, sens_key, adjoint)
    if len(_COMPILED) > 64:
        _COMPILED.clear()
    _COMPILED[key] = cm
    return cm
