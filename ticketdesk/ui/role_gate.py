"""What the signed-in role may not do, shown disabled with the reason (issue 20).

On a team desk the server enforces each role's rights (db/postgres_roles.py, migration 15); the
window only mirrors them, so nobody clicks into a refusal. One table says which capability each
action needs; `RoleGate` learns the role off the GUI thread (on the window's reader) and disables
every action whose capability the role lacks, with the reason as tooltip and status tip.

To gate an action added later, give it an objectName and add one line (ticketdesk/ARCHITECTURE.md,
"Signing in on a team desk"):

    role_gate.register("routingRulesAction", role_gate.ROUTING)

A button that acts on something one agent owns (another agent's note) is gated per item with
`gate_owned(button, capability, owner_id)`; a control without an objectName of its own (a chip's
remove button, a custom field's editor, the ticket dock's status box) with `gate(widget,
capability)`. A text editor gated so is made read-only, not disabled: its text can still be
selected and copied. A control its owner also enables and disables by itself (the dock's Reopen
only for a closed ticket, "Saving…" while a save is out) is switched with `enable(widget, on)`,
never `setEnabled`: it is enabled when the owner wants it *and* the role allows it, whichever of
the two changes last. On a desk file, and for a login no agent is mapped to, nothing is withheld:
there is nobody signed in whose role could say no.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from ticketdesk.services import team_roles
from ticketdesk.services.changes import Changes
from ticketdesk.ui.labels import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from ticketdesk.ui.main_window import MainWindow

ADMIN, AGENT, VIEWER = "admin", "agent", "viewer"

# Capabilities: what an action needs. Each says who may, and why not in the user's words.
WRITE, SETTINGS, SLA, MAIL, AGENTS, ROUTING, TAGS, IMPORT, PURGE, OTHERS_NOTES = (
    "write", "settings", "sla", "mail", "agents", "routing", "tags", "import", "purge",
    "others_notes")
TOKENS, LISTS, DELETE = "tokens", "lists", "delete"

CAPABILITIES: dict[str, tuple[frozenset[str], str]] = {
    WRITE: (frozenset({ADMIN, AGENT}), QT_TRANSLATE_NOOP(
        "RoleGate", "You are signed in as a viewer: you can read and analyse this desk, "
                    "not change it.")),
    SETTINGS: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can change this desk's settings.")),
    SLA: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can change SLA policies.")),
    MAIL: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can change the mail settings.")),
    AGENTS: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can add agents or change their roles.")),
    ROUTING: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can change routing rules and teams.")),
    TAGS: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can rename, colour, merge or delete tags.")),
    LISTS: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can change the desk's categories and custom fields.")),
    TOKENS: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can see or change API tokens.")),
    DELETE: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can delete tickets or customers, or restore them from the "
                    "recycle bin.")),
    IMPORT: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can import tickets or load demo data.")),
    PURGE: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can purge or erase data.")),
    OTHERS_NOTES: (frozenset({ADMIN}), QT_TRANSLATE_NOOP(
        "RoleGate", "Only an admin can edit or delete another agent's note.")),
}

ACTIONS: dict[str, str] = {
    "newTicketAction": WRITE,
    "importAction": IMPORT,
    "importMailAction": WRITE,
    "demoAction": IMPORT,
    "fetchMailAction": WRITE,
    "slaPoliciesAction": SLA,
    "mailSettingsAction": MAIL,
    "agentsRolesAction": AGENTS,
    # What the merged branches of issues 18-22 added (TABLE_POLICY says the same to the server).
    "agentsAction": AGENTS,  # rename, deactivate, teams
    "apiTokensAction": TOKENS,
    "tagsAction": TAGS,
    "categoriesAction": LISTS,
    "customFieldsAction": LISTS,
    "recycleBinAction": DELETE,
    "deleteTicketAction": DELETE,
    "bulkDeleteAction": DELETE,  # Selected Tickets ▸ Move to Recycle Bin
    "deleteCustomerButton": DELETE,  # the customers view's Delete…
    "eraseCustomerAction": PURGE,
    "routingAction": ROUTING,
    "cannedAction": WRITE,  # the desk's replies: every agent keeps them (not admin-only)
    "saveViewAction": WRITE,
    "addNoteButton": WRITE,
    "sendButton": WRITE,
    "logCustomerButton": WRITE,
    "attachButton": WRITE,
    "assignToMeAction": WRITE,  # the Ticket menu: enabled while a ticket is shown (`enable`)
    "closeTicketAction": WRITE,
}
"""Action objectName -> the capability it needs. Add a line with `register`."""

_OWNER = "roleGateOwner"
_NEEDS = "roleGateNeeds"


def register(action_name: str, capability: str) -> None:
    """Gate the action (or button) called `action_name` by `capability` in every window."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}; one of {sorted(CAPABILITIES)}")
    ACTIONS[action_name] = capability


def reason(role: str | None, capability: str) -> str | None:
    """Why `role` may not do `capability`, translated, or None if it may (or nobody is signed
    in). A viewer hears the viewer's reason for anything that writes."""
    if role is None:
        return None
    allowed, why = CAPABILITIES[capability]
    if role in allowed:
        return None
    if role == VIEWER:
        why = CAPABILITIES[WRITE][1]
    return QCoreApplication.translate("RoleGate", why)


_OWN_TIP = "roleGateOwnTip"
_WHY = "roleGateWhy"
"""The reason the role withholds a widget, as last applied (an invalid property: none)."""
_WANTS = "roleGateWants"
"""False while the widget's owner has it disabled (`enable`); an invalid property: enabled."""

Texts = QLineEdit | QPlainTextEdit | QTextEdit


def _show(target: QAction | QWidget, why: str | None) -> None:
    """Enabled (as far as the role goes), or disabled with `why` as tooltip and status tip; the
    target's own tips come back when it is allowed again. A text editor is made read-only
    instead; a widget its owner has disabled (`enable`) stays disabled."""
    own = target.property(_OWN_TIP)
    if own is None:
        own = (target.toolTip() if isinstance(target, QWidget) else "", target.statusTip())
        target.setProperty(_OWN_TIP, own)
    target.setProperty(_WHY, why)
    if isinstance(target, Texts):
        target.setReadOnly(why is not None)
    else:
        target.setEnabled(why is None and target.property(_WANTS) is not False)
    target.setToolTip(why or own[0])
    target.setStatusTip(why or own[1])


def enable(target: QWidget | QAction, on: bool) -> None:
    """What the widget's (or action's) owner wants (a ticket's state, a save on its way): it is
    enabled when this is True and the role allows it."""
    target.setProperty(_WANTS, on)
    target.setEnabled(on and target.property(_WHY) is None)


def wanted(widget: QWidget) -> bool:
    """Whether the widget's owner wants it enabled (whatever the role says)."""
    return widget.property(_WANTS) is not False


def set_tip(widget: QWidget, tip: str) -> None:
    """The widget's own tooltip; shown unless the role's reason is showing in its place."""
    own = widget.property(_OWN_TIP)
    if own is not None:
        widget.setProperty(_OWN_TIP, (tip, own[1]))
    if widget.property(_WHY) is None:
        widget.setToolTip(tip)


def find_gate(obj: QObject | None) -> RoleGate | None:
    """The window's gate, from any widget in it (a floating dock is still the window's
    child), or None (a desk without a window: tests of one widget)."""
    while obj is not None:
        gate = obj.findChild(RoleGate, RoleGate.NAME, Qt.FindChildOption.FindDirectChildrenOnly)
        if gate is not None:
            return gate
        obj = obj.parent()
    return None


def reason_for(widget: QObject, capability: str) -> str | None:
    """Why the role signed in to `widget`'s window may not do `capability` (None: it may)."""
    gate = find_gate(widget)
    return gate.reason(capability) if gate is not None else None


def gate(widget: QWidget, capability: str = WRITE) -> None:
    """Gate `widget` (a control, or a text editor made read-only) by `capability`: applied now
    if the window knows the role, and again whenever it learns it."""
    widget.setProperty(_NEEDS, capability)
    widget.setProperty(_OWNER, None)
    found = find_gate(widget)
    if found is not None:
        found.apply_owned(widget)


def gate_owned(button: QAbstractButton, capability: str, owner_id: int | None) -> None:
    """Gate `button`, which acts on an item `owner_id` owns: its owner may, others need
    `capability`. Applied now if the window knows the role, and again whenever it learns it."""
    button.setProperty(_NEEDS, capability)
    button.setProperty(_OWNER, -1 if owner_id is None else owner_id)
    found = find_gate(button)
    if found is not None:
        found.apply_owned(button)


class RoleGate(QObject):
    """One per window: reads who is signed in on the window's reader, then gates its actions.
    Read again whenever the agents change (an admin may have changed this agent's role)."""

    NAME = "roleGate"
    CHANNEL = "window.role"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName(self.NAME)
        self.main = window
        self.role: str | None = None
        self.agent_id: int | None = None
        self.known = False  # the first answer has come
        self._asked = 0
        self._applied: tuple[Any, ...] | None = None  # the sign-in state last applied
        window.reader.finished.connect(self._answered)
        window.hub.changed.connect(self._changed)
        self.refresh()

    def refresh(self) -> None:
        store = self.main.store
        self._asked += 1
        self.main.reader.submit(self.CHANNEL, self._asked, lambda: _sign_in_state(store))

    def _changed(self, changes: Changes, _initiator: object) -> None:
        if changes.everything or changes.agents:
            self.refresh()

    def _answered(self, channel: str, generation: int, result: Any) -> None:
        if channel != self.CHANNEL or generation != self._asked:
            return
        signed_in, role, signs_in = result
        self.agent_id = signed_in.id if signed_in is not None else None
        self.role = role
        self.known = True
        state = (role, self.agent_id, signs_in, signed_in.name if signed_in else None)
        if state == self._applied:
            return  # every change to the desk asks again; walking the window costs ~50 ms
        self._applied = state
        # Switch Agent is for a desk file; on a team desk the login is the agent.
        _show(self.main.switch_agent_action, None if signed_in is None or not signs_in else
              self.tr("You are signed in to this team desk as {0}; to work as someone else, "
                      "connect with their database login.").format(signed_in.name))
        self.apply()

    def reason(self, capability: str) -> str | None:
        return reason(self.role, capability)

    def apply(self, within: QObject | None = None) -> None:
        """Every gated action and button of the window (or of a view made later, `within`), by
        the role last read."""
        root = self.main if within is None else within
        for action in root.findChildren(QAction):
            capability = ACTIONS.get(action.objectName())
            if capability is not None:
                _show(action, self.reason(capability))
        for widget in root.findChildren(QWidget):
            capability = ACTIONS.get(widget.objectName())
            if capability is not None:
                _show(widget, self.reason(capability))
            elif widget.property(_NEEDS):
                self.apply_owned(widget)

    def apply_owned(self, widget: QWidget) -> None:
        """A widget gated with `gate` or `gate_owned`, by the role last read."""
        owner = widget.property(_OWNER)
        mine = owner is not None and self.agent_id is not None and owner == self.agent_id
        why = self.reason(WRITE) if mine else self.reason(str(widget.property(_NEEDS)))
        _show(widget, why)


def _sign_in_state(store: Any) -> tuple[Any, str | None, bool]:
    """Runs on the reader: who is signed in, their role, and whether agents sign in here."""
    return team_roles.whoami(store), team_roles.signed_in_role(store), team_roles.signs_in(store)
