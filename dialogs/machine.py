"""The transitions state machine over the question catalogue: its states, its moves, and the models it lends.

One machine serves every session: a model is lent for the span of one event and set to the session's state.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from transitions import Machine

from dialogs.questions import QUESTIONS
from dialogs.session import FIRST, RESULT, STATES, SUMMARY


def _edit_condition(question_id: str) -> Any:
    def condition(target: str | None = None) -> bool:
        return target == question_id

    condition.__name__ = f"target_is_{question_id}"
    return condition


def build_machine(machine_class: type[Machine] = Machine, **extra: Any) -> Machine:
    machine = machine_class(
        model=None,
        states=list(STATES),
        initial=FIRST,
        auto_transitions=False,
        send_event=False,
        **extra,
    )
    for current, following in zip(QUESTIONS, [*QUESTIONS[1:], None], strict=True):
        nxt = following.id if following else SUMMARY
        # "answer" moves on after a stored answer; "skip" passes questions that need no answer now.
        machine.add_transition("answer", current.id, nxt)
        machine.add_transition("skip", current.id, nxt)
    for previous, current in pairwise(QUESTIONS):
        machine.add_transition("back", current.id, previous.id)
    machine.add_transition("back", SUMMARY, QUESTIONS[-1].id)
    machine.add_transition("back", RESULT, SUMMARY)
    for question in QUESTIONS:
        machine.add_transition("edit", SUMMARY, question.id, conditions=[_edit_condition(question.id)])
    machine.add_transition("confirm", SUMMARY, RESULT)
    machine.add_transition("restart", "*", FIRST)
    machine.add_transition("switch_language", "*", None)
    return machine


MACHINE = build_machine()


class MachineModel:
    """The machine's view of one session for the span of one event."""

    state: str


# Attaching a model to the machine binds every trigger and state callback to it, which costs more than the
# event itself; so models stay attached and are lent out, one per event in progress, with their state set.
IDLE_MODELS: list[MachineModel] = []


def lend_model(state: str) -> MachineModel:
    """A model attached to the machine, set to ``state``; hand it back with ``return_model``."""
    try:
        model = IDLE_MODELS.pop()
    except IndexError:
        model = MachineModel()
        MACHINE.add_model(model, initial=state)
        return model
    try:
        MACHINE.set_state(state, model=model)
    except ValueError:  # an unknown state: the model stays available
        IDLE_MODELS.append(model)
        raise
    return model


def return_model(model: MachineModel) -> None:
    IDLE_MODELS.append(model)


def _direct_moves(machine: Machine) -> dict[tuple[str, str], str]:
    """(trigger, state) → the next state, for the moves that have one unconditional transition and no
    callbacks; the machine stays the one definition, this only reads it."""
    if machine.before_state_change or machine.after_state_change or machine.prepare_event:
        return {}
    if machine.finalize_event or any(s.on_enter or s.on_exit for s in machine.states.values()):
        return {}
    moves: dict[tuple[str, str], str] = {}
    for name, event in machine.events.items():
        for source, transitions in event.transitions.items():
            if len(transitions) != 1:
                continue
            move = transitions[0]
            if move.conditions or move.before or move.after or move.prepare:
                continue
            moves[(name, source)] = source if move.dest is None else move.dest  # None: an internal move
    return moves


# Lending a model and firing a trigger through transitions cost ~8 µs per move, more than the rest of an
# answer's engine work; the plain moves are looked up here, the conditional ones (edit) go through the machine.
_DIRECT_MOVES = _direct_moves(MACHINE)


def move(state: str, trigger: str, **kwargs: Any) -> str:
    """The state ``trigger`` leads to from ``state`` (unchanged when a condition says no); raises the machine's
    ``MachineError`` for a trigger the state does not have."""
    direct = _DIRECT_MOVES.get((trigger, state))
    if direct is not None:
        return direct
    model = lend_model(state)
    try:
        model.trigger(trigger, **kwargs)  # type: ignore[attr-defined]  # bound by transitions
        return model.state
    finally:
        return_model(model)


def mermaid_diagram() -> str:
    """The state diagram in Mermaid, generated from the machine itself."""
    from transitions.extensions import GraphMachine

    model = MachineModel()
    machine = build_machine(GraphMachine, graph_engine="mermaid", title="KMU Digital-Berater dialogue")
    machine.add_model(model, initial=FIRST)
    return str(model.get_graph().draw(None))  # type: ignore[attr-defined]
