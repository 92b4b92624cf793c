"""Hierarchical models (SBML ``comp``), flattened on read by libSBML's CompFlatteningConverter.

Oracle: the flattened model is two copies of first-order decay, A(t) = A0 exp(-k t), one with the
external model's own rate constant and one with the rate constant replaced from the parent model
(comp specification, section 3.6: a replaced element takes the replacement's value). Solver
tolerances rtol 1e-10 / atol 1e-14; compared at relative 1e-7 (measured relative errors: 1e-11 for
k = 0.5 and 2e-8 for k = 2, where A falls to 3e-4 at t = 4 and atol starts to count).

The reading of external model files is bounded: each one is found next to the model, size-checked
and pre-scanned before libSBML reads it; what cannot be read that way is refused naming the
``externalModelDefinition``, its source and the reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import her2sim as hs
from her2sim.errors import ModelError, UnsupportedFeatureError
from her2sim.io._limits import InputLimitError

RTOL, ATOL = 1e-10, 1e-14
CLOSE = 1e-7

_CORE = "http://www.sbml.org/sbml/level3/version1/core"
_COMP = "http://www.sbml.org/sbml/level3/version1/comp/version1"


def _decay(extra: str = "") -> str:
    """Core model ``decay``: A -> (nothing) at k * A, A(0) = 2, k = 0.5, volume 1."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="{_CORE}" level="3" version="1">
  <model id="decay">
    <listOfCompartments><compartment id="c" size="1" spatialDimensions="3" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="A" compartment="c" initialAmount="2" hasOnlySubstanceUnits="true" boundaryCondition="false"
        constant="false"/>
    </listOfSpecies>
    <listOfParameters><parameter id="k" value="0.5" constant="true"/></listOfParameters>
    <listOfReactions>
      <reaction id="R" reversible="false" fast="false">
        <listOfReactants><speciesReference species="A" stoichiometry="1" constant="true"/></listOfReactants>
        <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">
          <apply><times/><ci>k</ci><ci>A</ci>{extra}</apply>
        </math></kineticLaw>
      </reaction>
    </listOfReactions>
  </model>
</sbml>"""


def _parent(source: str) -> str:
    """Two submodels of the external ``decay``; the second one's ``k`` replaced by ``k_fast`` = 2."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="{_CORE}" xmlns:comp="{_COMP}" level="3" version="1" comp:required="true">
  <model id="parent">
    <listOfParameters>
      <parameter id="k_fast" value="2" constant="true">
        <comp:listOfReplacedElements>
          <comp:replacedElement comp:submodelRef="slow_copy_2" comp:idRef="k"/>
        </comp:listOfReplacedElements>
      </parameter>
    </listOfParameters>
    <comp:listOfSubmodels>
      <comp:submodel comp:id="slow_copy" comp:modelRef="ext"/>
      <comp:submodel comp:id="slow_copy_2" comp:modelRef="ext"/>
    </comp:listOfSubmodels>
  </model>
  <comp:listOfExternalModelDefinitions>
    <comp:externalModelDefinition comp:id="ext" comp:source="{source}" comp:modelRef="decay"/>
  </comp:listOfExternalModelDefinitions>
</sbml>"""


def test_external_submodels_are_flattened_and_replacements_applied(tmp_path: Path) -> None:
    (tmp_path / "decay.xml").write_text(_decay())
    (tmp_path / "parent.xml").write_text(_parent("decay.xml"))
    model = hs.read_sbml(tmp_path / "parent.xml")
    ids = set(model.species_ids)
    assert ids == {"slow_copy__A", "slow_copy_2__A"}  # libSBML's flattened names: submodel__id
    times = np.linspace(0.0, 4.0, 9)
    ds = hs.simulate(model, times, outputs=sorted(ids), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ds["slow_copy__A"].values, 2 * np.exp(-0.5 * times), rtol=CLOSE)
    np.testing.assert_allclose(ds["slow_copy_2__A"].values, 2 * np.exp(-2.0 * times), rtol=CLOSE)


def test_missing_external_file_names_the_definition(tmp_path: Path) -> None:
    (tmp_path / "parent.xml").write_text(_parent("elsewhere.xml"))
    with pytest.raises(UnsupportedFeatureError, match=r"externalModelDefinition 'ext' \(source 'elsewhere.xml'\)"):
        hs.read_sbml(tmp_path / "parent.xml")


def test_hierarchical_model_from_a_string_asks_for_the_path() -> None:
    with pytest.raises(UnsupportedFeatureError, match="read from a string.*path"):
        hs.read_sbml(_parent("decay.xml"))


def test_external_model_from_an_address_is_refused(tmp_path: Path) -> None:
    (tmp_path / "parent.xml").write_text(_parent("https://example.org/decay.xml"))
    with pytest.raises(UnsupportedFeatureError, match="local files only"):
        hs.read_sbml(tmp_path / "parent.xml")


def test_external_models_in_a_cycle_are_refused(tmp_path: Path) -> None:
    (tmp_path / "parent.xml").write_text(_parent("parent.xml"))
    with pytest.raises(ModelError, match="cycle"):
        hs.read_sbml(tmp_path / "parent.xml")


def test_external_file_is_prescanned_before_libsbml(tmp_path: Path) -> None:
    # MathML nested 300 deep: the pre-scan's depth bound (128) refuses it before libSBML parses it
    deep = "<apply><minus/>" * 300 + "<cn>1</cn>" + "</apply>" * 300
    (tmp_path / "decay.xml").write_text(_decay(deep))
    (tmp_path / "parent.xml").write_text(_parent("decay.xml"))
    with pytest.raises(InputLimitError, match="decay.xml"):
        hs.read_sbml(tmp_path / "parent.xml")
