"""The engine's table of plain moves agrees with the transitions machine it is read from."""

from __future__ import annotations

import pytest
from transitions import MachineError

from dialogs.machine import MACHINE, MachineModel, build_machine, move
from dialogs.questions import QUESTIONS
from dialogs.session import STATES


def through_machine(state: str, trigger: str, **kwargs: str) -> str:
    model = MachineModel()
    machine = build_machine()
    machine.add_model(model, initial=state)
    model.trigger(trigger, **kwargs)  # type: ignore[attr-defined]
    return model.state


@pytest.mark.parametrize("trigger", sorted(MACHINE.events))
def test_every_move_lands_where_the_machine_does(trigger: str) -> None:
    targets = [{}] if trigger != "edit" else [{"target": q.id} for q in QUESTIONS] + [{"target": "nope"}]
    for state in STATES:
        for kwargs in targets:
            try:
                expected = through_machine(state, trigger, **kwargs)
            except MachineError:
                with pytest.raises(MachineError):
                    move(state, trigger, **kwargs)
                continue
            assert move(state, trigger, **kwargs) == expected, (state, trigger, kwargs)
