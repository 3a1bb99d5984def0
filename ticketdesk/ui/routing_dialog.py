"""Desk ▸ Routing… (issue 21): the routing rules in the order they are tried (add, edit, move
up or down with the buttons or Alt+Up / Alt+Down, enable or disable, remove), the agents'
availability, capacity and skills, a dry run of the rules over the last N tickets with the load
per agent it would leave, and the rating request mailed when a ticket is resolved
(services/csat_request.py; a template with a wrong placeholder is refused with the list of the
right ones).

Every read and save runs on the dialog's own query thread through `services.routing` and
`services.availability`; the window never waits (ticketdesk/ARCHITECTURE.md, "Threading").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ticketdesk.domain.errors import TicketdeskError
from ticketdesk.domain.numbers import format_number
from ticketdesk.domain.routing import AgentState, AgentStatus, Method, Rule
from ticketdesk.domain.status import Priority
from ticketdesk.services import availability, csat_request, routing
from ticketdesk.services.changes import Changes
from ticketdesk.services.csat_request import RequestSettings
from ticketdesk.services.routing import DryRun, RuleSpec, split_names
from ticketdesk.services.session import Session
from ticketdesk.ui.labels import priority_text
from ticketdesk.ui.rows_model import Row, RowsModel
from ticketdesk.ui.text import plain_box, plain_label
from ticketdesk.ui.worker import QueryRunner

LOAD, SAVE, DRY = "routing.load", "routing.save", "routing.dry"
NO_LIMIT = -1
"""The capacity spin box's "no limit" value."""
METHODS = (Method.ROUND_ROBIN, Method.LEAST_OPEN, Method.SKILLS)


class RoutingDialog(QDialog):
    def __init__(self, session: Session, announce: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routingDialog")
        self.setWindowTitle(self.tr("Routing"))
        self.session = session
        self.announce = announce
        self.rules: list[Rule] = []
        self.specs: list[RuleSpec] = []
        """The rules as written, beside `rules` (the form edits these)."""
        self._keep: str | None = None
        self._focus: QWidget | None = None
        self.teams: list[tuple[str, list[str]]] = []
        self.agents: list[AgentState] = []
        self.dry: DryRun | None = None
        self.request: RequestSettings | None = None
        self.pending = 0
        """Reads and saves on their way (tests wait for 0 as a user watches)."""
        self._asked = 0
        self.runner = QueryRunner(session.store, self)
        self.runner.finished.connect(self._answered)
        self.runner.failed.connect(self._failed)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._rules_tab(), self.tr("&Rules"))
        self.tabs.addTab(self._agents_tab(), self.tr("&Agents"))
        self.tabs.addTab(self._dry_tab(), self.tr("&Dry run"))
        self.tabs.addTab(self._request_tab(), self.tr("Rating re&quest"))
        layout.addWidget(self.tabs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(860, 700)
        self.load()

    # -- building -----------------------------------------------------------------------------

    def _table(self, model: RowsModel, name: str, parent: QWidget) -> QTableView:
        table = QTableView(parent)
        table.setObjectName(name)
        table.setModel(model)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def _rules_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        self.rules_model = RowsModel((self.tr("Rule"), self.tr("When"), self.tr("Picks among"),
                                      self.tr("How"), self.tr("Active")), self)
        self.rules_table = self._table(self.rules_model, "routingRules", page)
        self.rules_table.selectionModel().currentRowChanged.connect(self._rule_chosen)
        column.addWidget(plain_label(self.tr("Tried in order; the first rule whose conditions "
                                             "all match a new ticket picks an agent."), page))
        column.addWidget(self.rules_table, 1)
        line = QHBoxLayout()
        self.up_button = QPushButton(self.tr("Move up"), page)
        self.up_button.setObjectName("moveRuleUp")
        self.up_button.setToolTip(self.tr("Try this rule earlier (Alt+Up)"))
        self.up_button.clicked.connect(self.move_up)
        self.down_button = QPushButton(self.tr("Move down"), page)
        self.down_button.setObjectName("moveRuleDown")
        self.down_button.setToolTip(self.tr("Try this rule later (Alt+Down)"))
        self.down_button.clicked.connect(self.move_down)
        for keys, slot in (("Alt+Up", self.move_up), ("Alt+Down", self.move_down)):
            shortcut = QShortcut(QKeySequence(keys), page)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.switch_button = QPushButton(self.tr("Enable / disa&ble"), page)
        self.switch_button.clicked.connect(self.switch_rule)
        self.remove_button = QPushButton(self.tr("Remo&ve"), page)
        self.remove_button.clicked.connect(self.remove_rule)
        for button in (self.up_button, self.down_button, self.switch_button,
                       self.remove_button):
            line.addWidget(button)
        line.addStretch(1)
        column.addLayout(line)
        form = QFormLayout()
        self.rule_name = QLineEdit(page)
        self.rule_name.setObjectName("ruleName")
        self.rule_tags = QLineEdit(page)
        self.rule_categories = QLineEdit(page)
        self.rule_categories.setObjectName("ruleCategories")
        self.rule_customer_tags = QLineEdit(page)
        self.rule_customer_tags.setObjectName("ruleCustomerTags")
        self.rule_priorities = QLineEdit(page)
        self.rule_words = QLineEdit(page)
        self.rule_channels = QLineEdit(page)
        self.rule_channels.setObjectName("ruleChannels")
        for edit in (self.rule_tags, self.rule_categories, self.rule_customer_tags,
                     self.rule_priorities):
            edit.setPlaceholderText(self.tr("any (separate several with commas)"))
        self.rule_words.setPlaceholderText(self.tr("any of these words in subject or body"))
        self.rule_channels.setPlaceholderText(self.tr("any (window, email, import, api)"))
        self.rule_team = QComboBox(page)
        self.rule_team.setObjectName("ruleTeam")
        self.rule_team.currentIndexChanged.connect(self._team_chosen)
        self.rule_agents = QLineEdit(page)
        self.rule_agents.setObjectName("ruleAgents")
        self.rule_agents.setPlaceholderText(self.tr("agents by name, with commas"))
        self.rule_method = QComboBox(page)
        self.rule_method.setObjectName("ruleMethod")
        words = {Method.ROUND_ROBIN: self.tr("Round robin"),
                 Method.LEAST_OPEN: self.tr("Least open tickets"),
                 Method.SKILLS: self.tr("By skill")}
        for method in METHODS:
            self.rule_method.addItem(words[method], method.value)
        form.addRow(self.tr("Na&me:"), self.rule_name)
        form.addRow(self.tr("&Tags:"), self.rule_tags)
        form.addRow(self.tr("&Category:"), self.rule_categories)
        form.addRow(self.tr("Customer ta&gs:"), self.rule_customer_tags)
        form.addRow(self.tr("&Priorities:"), self.rule_priorities)
        form.addRow(self.tr("&Words:"), self.rule_words)
        form.addRow(self.tr("Channe&ls:"), self.rule_channels)
        form.addRow(self.tr("T&eam:"), self.rule_team)
        form.addRow(self.tr("&Or these agents:"), self.rule_agents)
        form.addRow(self.tr("&How:"), self.rule_method)
        column.addLayout(form)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add as &new rule"), page)
        self.add_button.setObjectName("addRule")
        self.add_button.clicked.connect(self.add_rule)
        self.save_rule_button = QPushButton(self.tr("&Save rule"), page)
        self.save_rule_button.setObjectName("saveRule")
        self.save_rule_button.setToolTip(self.tr("Change the chosen rule to what the form "
                                                 "says; it keeps its place in the order"))
        self.save_rule_button.clicked.connect(self.save_rule)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.save_rule_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self._rule_chosen()
        return page

    def _agents_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        self.agents_model = RowsModel((self.tr("Agent"), self.tr("Status"), self.tr("Open"),
                                       self.tr("Capacity"), self.tr("Tag skills"),
                                       self.tr("Category skills")), self)
        self.agents_table = self._table(self.agents_model, "routingAgents", page)
        self.agents_table.selectionModel().currentRowChanged.connect(self._agent_chosen)
        column.addWidget(self.agents_table, 1)
        form = QFormLayout()
        self.agent_status = QComboBox(page)
        words = {AgentStatus.AVAILABLE: self.tr("Available"), AgentStatus.AWAY: self.tr("Away"),
                 AgentStatus.OFF: self.tr("Off")}
        for status in AgentStatus:
            self.agent_status.addItem(words[status], status.value)
        self.agent_capacity = QSpinBox(page)
        self.agent_capacity.setObjectName("agentCapacity")
        self.agent_capacity.setRange(NO_LIMIT, 100_000)
        self.agent_capacity.setSpecialValueText(self.tr("No limit"))
        self.agent_tags = QLineEdit(page)
        self.agent_tags.setObjectName("agentTagSkills")
        self.agent_categories = QLineEdit(page)
        self.agent_categories.setObjectName("agentCategorySkills")
        form.addRow(self.tr("Stat&us:"), self.agent_status)
        form.addRow(self.tr("Capac&ity (open tickets):"), self.agent_capacity)
        form.addRow(self.tr("Tag s&kills:"), self.agent_tags)
        form.addRow(self.tr("Categor&y skills:"), self.agent_categories)
        column.addLayout(form)
        self.save_agent_button = QPushButton(self.tr("Save agent"), page)
        self.save_agent_button.setObjectName("saveAgent")
        self.save_agent_button.clicked.connect(self.save_agent)
        column.addWidget(self.save_agent_button)
        return page

    def _dry_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        line = QHBoxLayout()
        self.dry_count = QSpinBox(page)
        self.dry_count.setObjectName("dryRunCount")
        self.dry_count.setRange(1, 100_000)
        self.dry_count.setValue(100)
        self.dry_button = QPushButton(self.tr("Run over the last tickets"), page)
        self.dry_button.setObjectName("dryRun")
        self.dry_button.clicked.connect(self.run_dry)
        line.addWidget(self.dry_count)
        line.addWidget(self.dry_button)
        line.addStretch(1)
        column.addLayout(line)
        self.dry_model = RowsModel((self.tr("Ticket"), self.tr("Rule"), self.tr("Agent"),
                                    self.tr("Why")), self)
        self.dry_table = self._table(self.dry_model, "dryRunRows", page)
        column.addWidget(self.dry_table, 2)
        self.load_model = RowsModel((self.tr("Agent"), self.tr("Open now"),
                                     self.tr("Would get"), self.tr("Open after"),
                                     self.tr("Capacity")), self)
        self.load_table = self._table(self.load_model, "dryRunLoads", page)
        column.addWidget(self.load_table, 1)
        self.dry_note = plain_label(self.tr("Nothing is changed by a dry run."), page)
        self.dry_note.setObjectName("dryRunNote")
        column.addWidget(self.dry_note)
        return page

    def _request_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        self.ask = QCheckBox(self.tr("Ask the customer for a rating by email when a ticket is "
                                     "resolved"), page)
        self.ask.setObjectName("askForRating")
        self.template = QPlainTextEdit(page)
        self.template.setObjectName("ratingTemplate")
        note = plain_label(self.tr("Placeholders: {name} (the customer), {number} (required), "
                                   "{subject}, {agent}. The customer answers with 1-5 or Good / "
                                   "Bad at the start of their reply."), page)
        note.setWordWrap(True)
        self.save_request_button = QPushButton(self.tr("Save request"), page)
        self.save_request_button.setObjectName("saveRequest")
        self.save_request_button.clicked.connect(self.save_request)
        for widget in (self.ask, self.template, note, self.save_request_button):
            column.addWidget(widget)
        return page

    # -- reading and saving -------------------------------------------------------------------

    def load(self) -> None:
        session = self.session

        def job() -> tuple[list[tuple[Rule, RuleSpec]], list[tuple[str, list[str]]],
                           list[AgentState], RequestSettings]:
            return (routing.list_rules_as_written(session), routing.list_teams(session),
                    availability.agents_for_routing(session), csat_request.read(session))

        self.pending += 1
        self._asked += 1
        self.runner.submit(LOAD, self._asked, job)

    def _save(self, fn: Callable[[], Changes], *, keep: str | None = None) -> None:
        """Run a save on the query thread; the dialog waits (disabled) for it, then reads
        everything again, choosing the rule called `keep` and giving the focus back."""
        self.pending += 1
        self._asked += 1
        self._keep = keep
        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and self.isAncestorOf(focus) else None
        self.setEnabled(False)
        self.runner.submit(SAVE, self._asked, fn)

    def _answered(self, channel: str, _generation: int, result: Any) -> None:
        self.pending -= 1
        if channel == LOAD:
            self._show(*result)
        elif channel == SAVE:
            self.setEnabled(True)
            if self._focus is not None:
                self._focus.setFocus()
            if isinstance(result, Changes):
                self.announce(result)
            self.load()
        elif channel == DRY:
            self.dry_button.setEnabled(True)
            self._show_dry(result)

    def _failed(self, channel: str, _generation: int, error: object) -> None:
        self.pending -= 1
        self.setEnabled(True)
        self.dry_button.setEnabled(True)
        message = str(error) if isinstance(error, TicketdeskError) else self.tr(
            "Something went wrong: {0}").format(error)
        plain_box(self, QMessageBox.Icon.Warning, self.windowTitle(), message).open()

    # -- showing ------------------------------------------------------------------------------

    def _show(self, rules: list[tuple[Rule, RuleSpec]], teams: list[tuple[str, list[str]]],
              agents: list[AgentState], request: RequestSettings) -> None:
        current = self._current_rule()
        chosen_rule = self._keep if self._keep is not None else (
            current.name if current is not None else None)
        self._keep = None
        self.rules = [r for r, _ in rules]
        self.specs = [spec for _, spec in rules]
        self.teams, self.agents = teams, agents
        self.request = request
        self.ask.setChecked(request.enabled)
        self.template.setPlainText(request.template)
        chosen_team = self.rule_team.currentText()
        self.rule_team.blockSignals(True)
        self.rule_team.clear()
        for name, members in teams:
            self.rule_team.addItem(name, name)
            self.rule_team.setItemData(self.rule_team.count() - 1, ", ".join(members),
                                       Qt.ItemDataRole.ToolTipRole)
        self.rule_team.addItem(self.tr("— the agents below —"), None)
        self.rule_team.setCurrentIndex(max(0, self.rule_team.findText(chosen_team)))
        self.rule_team.blockSignals(False)
        self._team_chosen()
        self.rules_model.set_rows([Row((r.name, self._conditions(spec), r.target,
                                        self.rule_method.itemText(METHODS.index(r.method)),
                                        self.tr("yes") if r.active else self.tr("no")))
                                   for r, spec in rules])
        names = [r.name.lower() for r in self.rules]
        if chosen_rule is not None and chosen_rule.lower() in names:
            self.rules_table.selectRow(names.index(chosen_rule.lower()))
        self._rule_chosen()
        status = {s.value: self.agent_status.itemText(i) for i, s in enumerate(AgentStatus)}
        self.agents_model.set_rows([Row((
            a.name, status[a.status.value], str(a.open_count or 0),
            self.tr("No limit") if a.capacity is None else str(a.capacity),
            ", ".join(sorted(a.tag_skills)), ", ".join(sorted(a.category_skills))))
            for a in agents])

    def _conditions(self, spec: RuleSpec) -> str:
        """The rule's conditions as written."""
        parts = [", ".join(spec.tags), ", ".join(spec.categories),
                 ", ".join(spec.customer_tags),
                 ", ".join(priority_text(Priority.parse(p)) if isinstance(p, str)
                           else priority_text(p) for p in spec.priorities),
                 spec.words, ", ".join(spec.channels)]
        return "; ".join(p for p in parts if p) or self.tr("any ticket")

    def _show_dry(self, result: DryRun) -> None:
        self.dry = result
        self.dry_model.set_rows([Row((format_number(r.ticket_id), r.rule, r.agent or "—",
                                      r.reason)) for r in result.rows])
        self.load_model.set_rows([Row((
            x.name, str(x.open_before), str(x.routed), str(x.open_after),
            self.tr("No limit") if x.capacity is None else str(x.capacity)))
            for x in result.loads])
        self.dry_note.setText(self.tr(
            "{0} tickets matched a rule, {1} matched none. Nothing was changed.").format(
            len(result.rows), result.unmatched))

    # -- actions ------------------------------------------------------------------------------

    def _current_row(self) -> int:
        row = self.rules_table.currentIndex().row()
        return row if 0 <= row < len(self.rules) else -1

    def _current_rule(self) -> Rule | None:
        row = self._current_row()
        return self.rules[row] if row >= 0 else None

    def _rule_chosen(self) -> None:
        """The chosen rule's conditions, team or agents and method fill the form (to edit
        it, or to add a rule like it)."""
        row = self._current_row()
        for button in (self.switch_button, self.remove_button, self.save_rule_button):
            button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < len(self.rules) - 1)
        if row < 0:
            return
        spec = self.specs[row]
        self.rule_name.setText(spec.name)
        self.rule_tags.setText(", ".join(spec.tags))
        self.rule_categories.setText(", ".join(spec.categories))
        self.rule_customer_tags.setText(", ".join(spec.customer_tags))
        self.rule_priorities.setText(", ".join(
            p if isinstance(p, str) else priority_text(p) for p in spec.priorities))
        self.rule_words.setText(spec.words)
        self.rule_channels.setText(", ".join(spec.channels))
        team = self.rule_team.findData(spec.team) if spec.team is not None else -1
        self.rule_team.setCurrentIndex(team if team >= 0 else self.rule_team.count() - 1)
        self.rule_agents.setText(", ".join(spec.agents))
        self.rule_method.setCurrentIndex(self.rule_method.findData(Method(spec.method).value))

    def _team_chosen(self) -> None:
        self.rule_agents.setEnabled(self.rule_team.currentData() is None)

    def _spec(self) -> RuleSpec:
        """The rule the form describes."""
        team = self.rule_team.currentData()
        return RuleSpec(self.rule_name.text(), Method(self.rule_method.currentData()),
                        team=team,
                        agents=split_names(self.rule_agents.text()) if team is None else (),
                        tags=split_names(self.rule_tags.text()),
                        categories=split_names(self.rule_categories.text()),
                        customer_tags=split_names(self.rule_customer_tags.text()),
                        priorities=split_names(self.rule_priorities.text()),
                        words=self.rule_words.text(),
                        channels=split_names(self.rule_channels.text()))

    def add_rule(self) -> None:
        session, spec = self.session, self._spec()

        def save() -> Changes:
            _, changes = routing.add_rule(session, spec)
            return changes

        self._save(save, keep=spec.name.strip())

    def save_rule(self) -> None:
        """The chosen rule becomes what the form says (name, conditions, team or agents,
        method); it keeps its place and whether it is active."""
        rule, session, spec = self._current_rule(), self.session, self._spec()
        if rule is not None:
            self._save(lambda: routing.update_rule(session, rule.name, spec),
                       keep=spec.name.strip())

    def move_up(self) -> None:
        """The chosen rule is tried one place earlier (Alt+Up)."""
        row = self._current_row()
        if row > 0:
            self._move(self.rules[row].name, row)

    def move_down(self) -> None:
        """The chosen rule is tried one place later (Alt+Down)."""
        row = self._current_row()
        if 0 <= row < len(self.rules) - 1:
            self._move(self.rules[row].name, row + 2)

    def _move(self, name: str, place: int) -> None:
        session = self.session
        self._save(lambda: routing.move_rule(session, name, to=place), keep=name)

    def switch_rule(self) -> None:
        rule, session = self._current_rule(), self.session
        if rule is not None:
            self._save(lambda: routing.set_rule_active(session, rule.name, not rule.active),
                       keep=rule.name)

    def remove_rule(self) -> None:
        rule, session = self._current_rule(), self.session
        if rule is not None:
            self._save(lambda: routing.delete_rule(session, rule.name))

    def _agent_chosen(self) -> None:
        row = self.agents_table.currentIndex().row()
        if not 0 <= row < len(self.agents):
            return
        agent = self.agents[row]
        self.agent_status.setCurrentIndex(self.agent_status.findData(agent.status.value))
        self.agent_capacity.setValue(NO_LIMIT if agent.capacity is None else agent.capacity)
        self.agent_tags.setText(", ".join(sorted(agent.tag_skills)))
        self.agent_categories.setText(", ".join(sorted(agent.category_skills)))

    def save_agent(self) -> None:
        row = self.agents_table.currentIndex().row()
        if not 0 <= row < len(self.agents):
            return
        name, session = self.agents[row].name, self.session
        status = AgentStatus(self.agent_status.currentData())
        value = self.agent_capacity.value()
        capacity = None if value == NO_LIMIT else value
        tags, categories = split_names(self.agent_tags.text()), split_names(
            self.agent_categories.text())

        def save() -> Changes:
            changes = routing.set_availability(session, name, status, capacity=capacity)
            return changes | routing.set_skills(session, name, tags=tags,
                                                categories=categories)

        self._save(save)

    def save_request(self) -> None:
        session = self.session
        wanted = RequestSettings(self.ask.isChecked(), self.template.toPlainText())
        self._save(lambda: csat_request.save(session, wanted))

    def run_dry(self) -> None:
        session, count = self.session, self.dry_count.value()
        self.pending += 1
        self._asked += 1
        self.dry_button.setEnabled(False)
        self.runner.submit(DRY, self._asked, lambda: routing.dry_run(session, count))

    def done(self, result: int) -> None:
        super().done(result)
        self.runner.stop()  # its thread and connection end with the dialog
