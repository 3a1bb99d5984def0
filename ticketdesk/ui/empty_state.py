"""What an empty desk shows: a friendly start with what a newcomer wants to do: create a ticket,
bring their tickets in, or look around in demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ticketdesk.ui.text import plain_label


class EmptyState(QWidget):
    createRequested = Signal()
    demoRequested = Signal()
    importRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        title = plain_label(self.tr("No tickets yet"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        hint = plain_label(self.tr(
            "Create your first ticket, import your tickets from a CSV file, or load demo data to "
            "look around: tickets, customers, conversations and two years of history you can "
            "search, filter and analyse."), self)
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setMaximumWidth(560)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(hint)
        row.addStretch()
        layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addStretch()
        self.create_button = QPushButton(self.tr("Create ticket"), self)
        self.create_button.setObjectName("emptyCreateButton")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.createRequested)
        self.demo_button = QPushButton(self.tr("Load demo data"), self)
        self.demo_button.setObjectName("emptyDemoButton")
        self.demo_button.clicked.connect(self.demoRequested)
        self.import_button = QPushButton(self.tr("Import tickets…"), self)
        self.import_button.setObjectName("emptyImportButton")
        self.import_button.clicked.connect(self.importRequested)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        layout.addStretch(3)


class NoMatches(QWidget):
    """Shown instead of an empty table when a filter matches nothing."""

    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noMatches")
        layout = QVBoxLayout(self)
        layout.addStretch()
        label = plain_label(self.tr("No tickets match these filters."), self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(label)
        row = QHBoxLayout()
        row.addStretch()
        button = QPushButton(self.tr("Clear filters"), self)
        button.clicked.connect(self.clearRequested)
        row.addWidget(button)
        row.addStretch()
        layout.addLayout(row)
        layout.addStretch()
