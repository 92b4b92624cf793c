"""Drug actions are declared once (:data:`her2sim.library.her2.drug_action.DRUG_ACTIONS`).

Oracles: the derived tables equal the declarations (kinetic potency nodes and tags, logical
inputs, the atlas's in-vitro doses); a toy drug whose catalogue entry carries its new action
(one declaration, registered from this test module, nothing of the library edited) appears in the
kinetic model (its parameters and effect, and nothing else changed: every other element equals
the flagship built before the registration), in the logical twin (its input switches its target off; with the input off the twin's
update equals the original's on every node, checked on random states) and in the atlas's
exposure table. Tolerances: exact (strings, booleans) except the simulation (rtol 1e-9 untreated,
a direction treated).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from her2sim import UnknownNameError, ValidationError
from her2sim.library import drugs as drug_catalogue
from her2sim.library import her2_logical as hl
from her2sim.library.her2 import compose
from her2sim.library.her2 import drug_action as da
from her2sim.library.her2._base import _assumed
from her2sim.model import ParameterRole

TOY_ACTION = "toy_her3_degrade"
TOY_DRUG = "toydegrab"


def test_derived_tables_follow_the_declarations():
    assert set(da.DRUG_ACTIONS) == set(drug_catalogue.actions())  # every catalogue action is modelled
    for name, action in da.DRUG_ACTIONS.items():
        assert da.MECHANISMS[name].nodes == tuple(action.nodes)
        assert da.MECHANISMS[name].logical_inputs == action.logical_inputs
        assert hl.DRUG_ACTION_INPUTS[name] == action.logical_inputs
        for node, tag in action.nodes.items():
            assert da._node_tags()[node] == tag
    from her2sim.family import default_family

    doses = default_family().in_vitro_doses()
    assert {a: d[:2] for a, d in doses.items()} == {a: x.in_vitro_dose for a, x in da.DRUG_ACTIONS.items()}


def test_a_declaration_is_checked():
    with pytest.raises(ValidationError, match="in_vitro_dose"):
        da.DrugAction("bad", {"HER3": "HER3"}, ("X",), (0.0, "nM"), effect=lambda b, occ: None,
                      logical_target="HER3")
    with pytest.raises(ValidationError, match="needs both effect and logical_target"):
        da.DrugAction("bad", {"HER3": "HER3"}, ("X",), (1.0, "nM"), effect=lambda b, occ: None)
    with pytest.raises(ValidationError, match="already registered"):
        da.register_action(dataclasses.replace(da.DRUG_ACTIONS["mek_inhibit"], effect=lambda b, occ: None,
                                               logical_target="MEK"))


def _toy_effect(b, occupancy):
    """Extra first-order HER3 loss at full occupancy (a toy HER3 degrader)."""
    b.P("k_toy_HER3_loss", 0.5, "1/h", _assumed("toy action of the registry test"),
        role=ParameterRole.PHARMACOLOGY)
    b.R("toy_HER3_loss", "ERBB3", "", f"k_toy_HER3_loss*({occupancy('HER3')})*ERBB3",
        "HER3 loss caused by the toy degrader")


@pytest.fixture
def flagship():
    from her2sim.library.her2_model import build

    return build()


@pytest.fixture
def toy_action():
    """A new drug with a new action, added in one declaration: its catalogue entry carries the action."""
    base = drug_catalogue.get_drug("patritumab")  # a HER3 antibody: its HER3 target stands in for the toy's
    action = da.DrugAction(TOY_ACTION, {"HER3": "HER3"}, ("HER3_degrader",), (1.0, "uM"), "toy convention",
                           effect=_toy_effect, logical_target="HER3")
    drug_catalogue.register_drug(dataclasses.replace(base, name=TOY_DRUG, aliases=(), action=TOY_ACTION,
                                                     declares=action))
    yield action
    drug_catalogue.unregister_drug(TOY_DRUG)
    assert TOY_ACTION not in da.DRUG_ACTIONS and TOY_DRUG not in drug_catalogue.list_drugs()


def test_register_action_then_a_drug_of_it(flagship):
    """The action alone (register_action), then any drug naming it: the same model as one declaration."""
    action = da.register_action(da.DrugAction(
        TOY_ACTION, {"HER3": "HER3"}, ("HER3_degrader",), (1.0, "uM"), effect=_toy_effect, logical_target="HER3"))
    try:
        assert TOY_ACTION in drug_catalogue.actions() and da.DRUG_ACTIONS[TOY_ACTION] is action
        with pytest.raises(UnknownNameError, match="toy_her3_degrad"):
            dataclasses.replace(drug_catalogue.get_drug("patritumab"), action="toy_her3_degrad")
        drug = dataclasses.replace(drug_catalogue.get_drug("patritumab"), name=TOY_DRUG, aliases=(),
                                   action=TOY_ACTION)
        drug_catalogue.register_drug(drug)
        try:
            model = compose(model_id="her2_pi3k_akt_toy_action")
            assert {"toy_HER3_loss"} == {r.id for r in model.reactions} - {r.id for r in flagship.reactions}
        finally:
            drug_catalogue.unregister_drug(TOY_DRUG)
    finally:
        da.unregister_action(TOY_ACTION)
    assert TOY_ACTION not in da.DRUG_ACTIONS


def test_a_drug_with_an_unknown_action_is_refused():
    with pytest.raises(UnknownNameError, match="Did you mean 'mek_inhibit'"):
        dataclasses.replace(drug_catalogue.get_drug("trametinib"), action="mek_inhibt")
    with pytest.raises(ValidationError, match="is built in"):
        da.unregister_action("mek_inhibit")


def test_a_new_action_is_one_declaration_kinetic(flagship, toy_action):
    model = compose(model_id="her2_pi3k_akt_toy_action")
    params = [p.id for p in model.parameters]
    # the toy drug's concentration and potency parameters join the catalogue's drugs; the rest is unchanged
    base = {p.id: p for p in flagship.parameters}
    assert [p for p in params if p not in base] == [f"{TOY_DRUG}_nM", f"Kd_{TOY_DRUG}_HER3", "k_toy_HER3_loss"]
    assert [p for p in model.parameters if p.id in base] == list(flagship.parameters)
    assert [r for r in model.reactions if r.id != "toy_HER3_loss"] == list(flagship.reactions)
    assert model.assignment_rules == flagship.assignment_rules and model.species == flagship.species
    rate = str(next(r for r in model.reactions if r.id == "toy_HER3_loss").rate)
    assert f"{TOY_DRUG}_nM/Kd_{TOY_DRUG}_HER3" in rate and "ERBB3" in rate
    assert model.get_parameter(f"{TOY_DRUG}_nM").role is ParameterRole.DRUG_CONCENTRATION
    # mechanisms and the drug settings follow
    assert da.MECHANISMS[TOY_ACTION].logical_inputs == ("HER3_degrader",)
    assert da.drug_settings({TOY_DRUG: 100.0}) == {f"{TOY_DRUG}_nM": 100.0}  # an antibody: unbound


def test_a_new_action_is_one_declaration_logical(toy_action):
    original = hl._load(tuple(x for x in hl._registered_drug_inputs() if x[2] != TOY_ACTION))  # the twin before
    twin = hl.load()
    assert "HER3_degrader" in twin.inputs and "HER3_degrader" not in original.inputs
    assert hl.baseline(twin).fixed["HER3_degrader"] == 0
    assert hl.apply_drugs(hl.baseline(twin), [TOY_DRUG]).fixed["HER3_degrader"] == 1
    rng = np.random.default_rng(12)
    nodes = original.nodes
    states = rng.random((200, len(twin.nodes))) < 0.5
    cols = [twin.index(n) for n in nodes]
    her3 = twin.index("HER3")
    for value in (False, True):
        states[:, twin.index("HER3_degrader")] = value
        new = twin.update(states)
        old = original.update(states[:, cols])
        if value:
            assert not new[:, her3].any()  # the input switches its target off
            old[:, nodes.index("HER3")] = False
        np.testing.assert_array_equal(new[:, cols], old)


def test_a_new_action_is_one_declaration_atlas(toy_action):
    from her2sim.analysis.atlas import exposure_table

    row = exposure_table("in_vitro", [TOY_DRUG]).set_index("drug").loc[TOY_DRUG]
    assert row["concentration_nM"] == pytest.approx(drug_catalogue.get_drug(TOY_DRUG).to_nM(1.0, "uM"))
    assert row["source"] == "toy convention"


def test_unknown_logical_target_is_named(monkeypatch):
    bad = (("X_input", "HER33", "toy"),)
    with pytest.raises(UnknownNameError, match="HER3"):
        hl._with_drug_inputs("targets, factors\nHER3, HER2\nHER2, HER2\n", bad)


def test_a_new_action_acts_in_simulation(flagship, toy_action):
    """Untreated, the toy model is the flagship (rtol 1e-9); treated, HER3 falls (direction of the effect)."""
    import her2sim as hs
    from her2sim.library.her2_model import build
    from her2sim.model import roles

    assert "toy_HER3_loss" not in {r.id for r in flagship.reactions}
    assert "toy_HER3_loss" in {r.id for r in build().reactions}  # the flagship built now carries the action
    conc = f"{TOY_DRUG}_nM"
    model = compose(model_id="her2_pi3k_akt_toy_action")
    untreated = {p: 0.0 for p in roles.untreated_overrides(flagship)}
    base = hs.simulate(flagship, [0.0], preequilibrate=untreated, outputs=["HER3_total"])
    ds = hs.simulate(model, [0.0, 24.0], parameters={conc: 1000.0}, preequilibrate={**untreated, conc: 0.0},
                     outputs=["HER3_total"])
    her3 = ds["HER3_total"].values.ravel()
    np.testing.assert_allclose(her3[0], base["HER3_total"].values.ravel()[0], rtol=1e-9)
    assert her3[1] < 0.9 * her3[0]


def test_catalogue_registration_errors_are_named(flagship):
    base = drug_catalogue.get_drug("patritumab")
    with pytest.raises(ValidationError, match="needs a Drug"):
        drug_catalogue.register_drug("patritumab")
    with pytest.raises(ValidationError, match="used by two drugs"):
        drug_catalogue.register_drug(dataclasses.replace(base, name="toy-patritumab"))  # its aliases are taken
    with pytest.raises(ValidationError, match="shipped"):
        drug_catalogue.unregister_drug("lapatinib")
    action = da.DrugAction(TOY_ACTION, {"HER3": "HER3"}, ("HER3_degrader",), (1.0, "uM"), effect=_toy_effect,
                           logical_target="HER3")
    with pytest.raises(ValidationError, match="declares must be the DrugAction named"):
        dataclasses.replace(base, name=TOY_DRUG, aliases=(), action="her3_block", declares=action)
    with pytest.raises(UnknownNameError, match="occupancy"):
        da.register_action(dataclasses.replace(action, effect={"ocupancy": _toy_effect}))
    assert TOY_ACTION not in drug_catalogue.actions()  # a refused registration leaves nothing behind
    # the flagship built after all this is the flagship (the build cache follows the catalogue)
    from her2sim.library.her2_model import build

    assert build().fingerprint() == flagship.fingerprint()
