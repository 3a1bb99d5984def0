"""How the columns and values of another help desk's export become ticketdesk's (issue 16).

Pure rules, no I/O: the wizard and `ticketdesk import tickets` both ask `suggest` for a mapping
of a file's header, show or print it, and let the user change it; a `Mapping` is saved and
loaded as a JSON preset (`to_json` / `from_json`).

Headers are matched after folding case, accents and punctuation ("Date d'ouverture",
"Erstellt am", "Created at" and "created_at" all become words), against the column names of
the known exports (Zendesk, Freshdesk, osTicket, Zammad, GLPI, Request Tracker, ServiceNow,
ticketdesk's own) and common words in English, German, French, Spanish and Dutch. A header
that matches nothing is ignored, never guessed: the dry run lists it, and the user maps it.

Values: each status or priority word of the file is mapped by a table of words (pending /
on hold / stalled → Waiting, solved → Resolved, critical / emergency / major → Urgent,
normal → Medium ...). Numbered scales depend on the system: ServiceNow's priority 1 is
the most urgent of five (Zammad writes "1 low", "2 normal", "3 high"); Freshdesk's 4 is
Urgent and its statuses are 2..5; Request Tracker's 0..99 grows with urgency; GLPI's 1..6
too (6 is Major). A file of an unknown system with numbers 1..4 or 1..5 is read as
Freshdesk reads it (higher is more urgent) — the dry run prints the choice, and a preset
changes it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ticketdesk.domain.errors import ValidationError
from ticketdesk.domain.status import Priority, Status

# -- targets ----------------------------------------------------------------------------------

IGNORE = "ignore"
ADD_AS_TAG = "add_as_tag"
APPEND_TO_DESCRIPTION = "append_to_description"
SOURCE_ID = "source_id"
FIRST_REPLY_MINUTES = "first_response_minutes"
FIRST_REPLY_HOURS = "first_response_hours"
RESOLUTION_MINUTES = "resolution_minutes"
RESOLUTION_HOURS = "resolution_hours"

FIELDS = ("subject", "description", "status", "priority", "category", "customer",
          "customer_email", "customer_company", "customer_external_id", "assignees", "tags",
          "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at",
          "resolution")
TIME_FIELDS = ("created_at", "updated_at", "first_response_at", "resolved_at", "closed_at")
DURATIONS = {FIRST_REPLY_MINUTES: ("first_response_at", 60),
             FIRST_REPLY_HOURS: ("first_response_at", 3600),
             RESOLUTION_MINUTES: ("resolved_at", 60),
             RESOLUTION_HOURS: ("resolved_at", 3600)}
"""A duration column: the time it gives (counted from creation) and its unit in seconds."""
TARGETS = (*FIELDS, SOURCE_ID, *DURATIONS, ADD_AS_TAG, APPEND_TO_DESCRIPTION, IGNORE)
"""Every target a column can have: unique ones (a field, the source id, a duration) and the
three that several columns may share (add as tag, append to description, ignore)."""
SHARED = frozenset({ADD_AS_TAG, APPEND_TO_DESCRIPTION, IGNORE})
CUSTOM_FIELD = "field:"
"""A target "field:Seats" stores the column in the desk's custom field Seats (issue 19); the
value is checked against the field when the tickets are written."""


def is_target(target: str) -> bool:
    return target in TARGETS or (target.startswith(CUSTOM_FIELD)
                                 and bool(target[len(CUSTOM_FIELD):].strip()))

SYSTEMS = ("zendesk", "freshdesk", "osticket", "zammad", "glpi", "rt", "servicenow",
           "ticketdesk")


def fold(text: str) -> str:
    """Lower case, accents dropped, every run of other characters one space: the key a
    header or a value is looked up by."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.split(r"[^0-9a-zß]+", plain)).strip()


def _table(pairs: dict[str, str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for target, names in pairs.items():
        for name in names.split("|"):
            table[fold(name)] = target
    return table


# Headers of the known exports first (exact names), then words in five languages.
_HEADERS = _table({
    SOURCE_ID: "id|ticket id|ticket number|ticket nr|ticket no|ticket #|ticket|number|nr|"
               "sys id|incident|incident number|case|case number|case id|request id|"
               "ticketnummer|ticket nummer|ticket-id|numero|numéro|n°|numéro du ticket|"
               "número|número de ticket|id del ticket|id du ticket|ticketnr|nummer|"
               "vorgangsnummer|kennung|id ticket",
    "subject": "subject|title|short description|summary|betreff|titel|titre|objet|sujet|"
               "asunto|título|titulo|onderwerp|resumen|zusammenfassung",
    "description": "description|details|body|text|content|problem|issue|description text|"
                   "beschreibung|beschrijving|descripción|descripcion|contenu|inhalt|"
                   "omschrijving|first comment",
    "status": "status|state|stage|phase|current status|incident state|ticket status|statut|"
              "estado|"
              "zustand|staat|état|etat|statut du ticket",
    "priority": "priority|prio|priorität|prioritat|priorité|priorite|prioridad|prioriteit|"
                "urgency|dringlichkeit|urgence|urgencia|urgentie",
    "category": "category|type|ticket type|help topic|department|group|queue|"
                "assignment group|kategorie|catégorie|categorie|categoría|categoria|typ|"
                "gruppe|groupe|grupo|groep|warteschlange|file|cola|wachtrij|abteilung",
    "customer": "requester|requester name|customer|customer name|caller|caller id|"
                "contact|contact name|full name|from|requestors|requester s|kunde|"
                "kundenname|anfragender|antragsteller|melder|client|demandeur|nom du client|"
                "cliente|solicitante|klant|aanvrager|name|nom|nombre|naam",
    "customer_email": "requester email|email|e mail|from email|customer email|contact email|"
                      "email address|mail|e mail adresse|courriel|adresse e mail|"
                      "correo|correo electronico|e mailadres|requestor email",
    "customer_company": "organization|organisation|company|company name|account|firma|"
                        "unternehmen|entreprise|société|societe|empresa|organización|"
                        "organizacion|bedrijf|organisatie",
    "customer_external_id": "requester id|requester external id|contact id|customer id|"
                            "kundennummer|kunden id|id client|numero client|id cliente|"
                            "klantnummer",
    "assignees": "assignee|assigned to|agent|owner|agent assigned|assigned agent|"
                 "technician|responsible|bearbeiter|zugewiesen an|verantwortlich|"
                 "attribue a|attribue a technicien|technicien|responsable|asignado a|"
                 "agente|toegewezen aan|behandelaar|eigenaar",
    "tags": "tags|labels|keywords|schlagworte|schlagwörter|etiketten|étiquettes|etiquettes|"
            "etiquetas|mots cles|stichwörter",
    "created_at": "created|created at|created time|creation date|date created|opened|"
                  "opened at|opening date|date d ouverture|submitted|created on|"
                  "request date|erstellt|erstellt am|erstelldatum|angelegt|angelegt am|"
                  "eröffnet|eroeffnet|date de création|date de creation|créé le|cree le|"
                  "fecha de creación|fecha de creacion|creado|fecha|aangemaakt|"
                  "aangemaakt op|aanmaakdatum|datum|date|datum aangemaakt",
    "updated_at": "updated|updated at|last update|last updated|last update time|"
                  "last modified|modified|sys updated on|sys updated at|lastupdated|updated on|"
                  "geändert|geaendert|geändert am|letzte änderung|aktualisiert|"
                  "aktualisiert am|dernière modification|derniere modification|"
                  "mis à jour|mis a jour|modifié le|última actualización|"
                  "ultima actualizacion|actualizado|bijgewerkt|laatst bijgewerkt|gewijzigd",
    "first_response_at": "first response at|first response|first reply at|first replied at|"
                         "first reply|replied|answered at|"
                         "first response time|initial response time|first response date|"
                         "erste antwort|erste reaktion|première réponse|premiere reponse|"
                         "primera respuesta|eerste reactie|eerste antwoord",
    "resolved_at": "resolved|resolved at|resolved time|solved at|solved|resolution date|"
                   "date de résolution|date de resolution|resolved on|gelöst|geloest|"
                   "gelöst am|erledigt|erledigt am|résolu le|resolu le|fecha de resolución|"
                   "fecha de resolucion|resuelto|opgelost|opgelost op",
    "closed_at": "closed|closed at|closed time|close at|closing date|date closed|closed on|"
                 "date de clôture|date de cloture|geschlossen|geschlossen am|"
                 "clos le|fermé le|ferme le|fecha de cierre|cerrado|gesloten|gesloten op|"
                 "closed date",
    "resolution": "resolution|resolution notes|close notes|solution|lösung|losung|"
                  "résolution|solución|solucion|oplossing|close code",
    FIRST_REPLY_MINUTES: "first reply time in minutes|first reply time|"
                         "first response time in minutes|first response minutes|"
                         "erste antwortzeit in minuten|reaktionszeit in minuten|"
                         "temps de premiere reponse en minutes|"
                         "tiempo de primera respuesta en minutos",
    FIRST_REPLY_HOURS: "first response time in hrs|first response time hrs|"
                       "first response time in hours|first response hours|"
                       "erste antwortzeit in stunden|temps de premiere reponse en heures",
    RESOLUTION_MINUTES: "full resolution time in minutes|resolution time in minutes|"
                        "time to resolution in minutes|lösungszeit in minuten|"
                        "temps de resolution en minutes",
    RESOLUTION_HOURS: "resolution time in hrs|resolution time in hours|time to resolution|"
                      "time to resolution in hours|resolution time hrs|resolution hours|"
                      "lösungszeit in stunden|losungszeit in stunden|"
                      "temps de resolution en heures",
})
# A few headers mean something else in one system than in general.
_SYSTEM_HEADERS = {
    "zendesk": _table({"customer": "requester", "category": "group",
                       "customer_external_id": "requester external id",
                       IGNORE: "requester id|submitter|requester domain|via|assigned at|due date|"
                               "initially assigned at|satisfaction score|group stations|"
                               "assignee stations|reopens|replies|"
                               "first reply time in minutes within business hours|"
                               "first resolution time in minutes|"
                               "agent wait time in minutes|requester wait time in minutes|"
                               "on hold time in minutes|resolution time",
                       "resolved_at": "solved at"}),
    "freshdesk": _table({"assignees": "agent", "category": "group",
                         IGNORE: "source|due by time|time tracked|agent interactions|"
                                 "customer interactions|resolution status|"
                                 "first response status|survey results|product|"
                                 "initial response time"}),
    "osticket": _table({"customer": "from", "customer_email": "from email",
                        "category": "help topic", "status": "current status",
                        IGNORE: "department|source|due date|overdue|answered|"
                                "team assigned|thread count|attachment count"}),
    "servicenow": _table({SOURCE_ID: "number", "subject": "short description",
                          "customer": "caller|caller id", "category": "category",
                          "resolution": "close notes", "status": "state|incident state",
                          IGNORE: "sys id|assignment group|close code|opened by|"
                                  "sys updated by|updated by|impact|urgency"}),
    "rt": _table({"customer": "requestors", "assignees": "owner", "category": "queue",
                  IGNORE: "started|told|timeworked|time worked|timeleft|finalpriority|"
                          "initialpriority"}),
    "glpi": _table({IGNORE: "urgency|impact|entity|entité|time to resolve|"
                            "temps de résolution|internal time to resolve|requester group|"
                            "groupe demandeur|attribué à groupe"}),
}
# Headers only one system writes: seeing two of them names the system.
_SIGNATURES = {
    "zendesk": ("requester", "requester email", "submitter", "solved at", "via",
                "first reply time in minutes", "full resolution time in minutes",
                "requester wait time in minutes"),
    "freshdesk": ("ticket id", "created time", "resolved time", "closed time",
                  "last update time", "first response time in hrs", "resolution time in hrs",
                  "due by time", "agent interactions", "description text", "responder id",
                  "fr escalated", "due by", "fr due by"),
    "osticket": ("ticket number", "date created", "from email", "help topic",
                 "current status", "agent assigned", "thread count"),
    "zammad": ("title", "state", "owner", "close at", "first response at", "group"),
    "glpi": ("opening date", "date d ouverture", "resolution date", "date de resolution",
             "closing date", "date de cloture", "assigned to technician",
             "attribue a technicien", "titre", "statut"),
    "rt": ("requestors", "queue", "lastupdated", "told", "timeworked", "started"),
    "servicenow": ("short description", "sys id", "opened at", "sys updated on",
                   "caller id", "incident state", "assignment group", "close notes"),
    "ticketdesk": ("number", "subject", "customer external id", "first response at",
                   "customer company", "assignees"),
}

# -- values -----------------------------------------------------------------------------------

_STATUS_WORDS = _table({
    "OPEN": "new|open|opened|neu|offen|geöffnet|nouveau|nouvelle|ouvert|nuevo|abierto|"
            "nieuw|assigned|unassigned|neu angelegt|reopened",
    "IN_PROGRESS": "in progress|work in progress|processing|processing assigned|"
                   "processing planned|active|working|in bearbeitung|bearbeitung|en cours|"
                   "en cours attribue|en cours planifie|en curso|en proceso|in behandeling|"
                   "wip",
    "WAITING": "pending|on hold|hold|stalled|waiting|waiting on customer|"
               "waiting on third party|awaiting|pending reminder|pending close|wartend|"
               "warten|wartet|in wartestellung|zurückgestellt|en attente|en espera|"
               "pendiente|wachtend|in afwachting|on hold awaiting caller",
    "RESOLVED": "resolved|solved|done|fixed|erledigt|gelöst|geloest|résolu|resolu|resuelto|"
                "opgelost",
    "CLOSED": "closed|cancelled|canceled|rejected|merged|archived|geschlossen|"
              "abgeschlossen|clos|fermé|ferme|cerrado|gesloten|deleted",
})
_PRIORITY_WORDS = _table({
    "LOW": "low|very low|planning|lowest|minor|trivial|niedrig|sehr niedrig|gering|basse|"
           "tres basse|faible|baja|muy baja|laag|zeer laag|4 low|5 planning|1 low",
    "MEDIUM": "medium|normal|moderate|average|mittel|normale|moyenne|moyen|media|"
              "normaal|gemiddeld|3 moderate|2 normal",
    "HIGH": "high|higher|important|hoch|haute|elevee|élevée|alta|hoog|very high|sehr hoch|"
            "tres haute|muy alta|zeer hoog|2 high|3 high",
    "URGENT": "urgent|critical|emergency|major|blocker|highest|asap|dringend|kritisch|"
              "notfall|sehr dringend|urgente|critique|majeure|critico|crítico|kritiek|"
              "spoed|1 critical",
})
_NUMBERED_STATUS = {"freshdesk": {"2": "OPEN", "3": "WAITING", "4": "RESOLVED", "5": "CLOSED",
                                  "6": "WAITING", "7": "WAITING"},
                    "servicenow": {"1": "OPEN", "2": "IN_PROGRESS", "3": "WAITING",
                                   "6": "RESOLVED", "7": "CLOSED", "8": "CLOSED"},
                    "glpi": {"1": "OPEN", "2": "IN_PROGRESS", "3": "IN_PROGRESS",
                             "4": "WAITING", "5": "RESOLVED", "6": "CLOSED"}}
URGENT_FIRST = frozenset({"servicenow"})
"""Systems whose priority 1 is the most urgent."""


def _numbered_priority(number: int, system: str | None, highest: int) -> Priority:
    """A number on a priority scale: `highest` is the largest number the file uses."""
    if system == "rt":  # 0..99, growing with urgency
        return (Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.URGENT)[
            min(3, max(0, number) * 4 // 100)]
    if system == "glpi":  # 1 very low .. 5 very high, 6 major
        return {1: Priority.LOW, 2: Priority.LOW, 3: Priority.MEDIUM, 4: Priority.HIGH,
                5: Priority.URGENT, 6: Priority.URGENT}.get(number, Priority.MEDIUM)
    scale = 5 if highest >= 5 else 4
    rank = scale + 1 - number if system in URGENT_FIRST else number  # 1: the least urgent
    if scale == 5:
        return {1: Priority.LOW, 2: Priority.LOW, 3: Priority.MEDIUM, 4: Priority.HIGH,
                5: Priority.URGENT}.get(rank, Priority.MEDIUM)
    return {1: Priority.LOW, 2: Priority.MEDIUM, 3: Priority.HIGH,
            4: Priority.URGENT}.get(rank, Priority.MEDIUM)


def suggest_status(value: str, system: str | None = None) -> Status | None:
    """The ticketdesk status for one of the file's status values, or None when no rule knows
    it (the user chooses)."""
    key = fold(value)
    if system in _NUMBERED_STATUS and key in _NUMBERED_STATUS[system]:
        return Status[_NUMBERED_STATUS[system][key]]
    if key in _STATUS_WORDS:
        return Status[_STATUS_WORDS[key]]
    words = key.split()
    for start in range(len(words)):  # "Processing (assigned)", "Pending - customer"
        for end in range(len(words), start, -1):
            if (part := " ".join(words[start:end])) in _STATUS_WORDS:
                return Status[_STATUS_WORDS[part]]
    return None


def suggest_priority(value: str, system: str | None = None, highest: int = 4) -> Priority | None:
    """The ticketdesk priority for one of the file's priority values ("2 - High", "P1",
    "urgent", "3"), or None when no rule knows it."""
    key = fold(value)
    if key in _PRIORITY_WORDS:
        return Priority[_PRIORITY_WORDS[key]]
    words = key.split()
    if len(words) > 1 and (rest := " ".join(words[1:])) in _PRIORITY_WORDS:
        return Priority[_PRIORITY_WORDS[rest]]  # "2 - High", "3 - Moderate"
    named = [w for w in words if w in _PRIORITY_WORDS]
    if named:
        return Priority[_PRIORITY_WORDS[named[-1]]]
    digits = key[1:] if key[:1] == "p" and key[1:].isdigit() else key
    if digits.isdigit():
        if key.startswith("p"):  # P1 is the most urgent everywhere
            return _numbered_priority(int(digits), "servicenow", max(highest, 4))
        return _numbered_priority(int(digits), system, highest)
    return None


# -- the mapping ------------------------------------------------------------------------------

@dataclass
class Mapping:
    """What the user chose (or accepted): saved as a JSON preset and reused."""

    columns: dict[str, str]
    """Source header → target (one of TARGETS)."""
    statuses: dict[str, str] = field(default_factory=dict)
    """Source value → Status name ("WAITING"); values not listed use `suggest_status`."""
    priorities: dict[str, str] = field(default_factory=dict)
    system: str | None = None
    """The known system the file comes from (None: a spreadsheet)."""
    day_first: bool | None = None
    """For dates like 03/04/2026: True day first, False month first, None detect (and refuse
    when the file cannot tell)."""
    timezone: str | None = None
    """IANA zone for times without an offset; None: the computer's."""
    event_log: bool | None = None
    """One row per update, grouped by source id; None: decide from the file."""

    def target_of(self, header: str) -> str:
        return self.columns.get(header, IGNORE)

    def columns_for(self, target: str) -> list[str]:
        return [h for h, t in self.columns.items() if t == target]

    def status(self, value: str) -> Status | None:
        if value in self.statuses:
            return Status[self.statuses[value]]
        return suggest_status(value, self.system)

    def priority(self, value: str, highest: int = 4) -> Priority | None:
        if value in self.priorities:
            return Priority[self.priorities[value]]
        return suggest_priority(value, self.system, highest)

    def check(self) -> None:
        """Refuse a mapping that cannot be imported: a target named twice, an unknown one."""
        problems = [f"{h!r} → {t!r} is not a target" for h, t in self.columns.items()
                    if not is_target(t)]
        seen: dict[str, str] = {}
        for h, t in self.columns.items():
            if t in SHARED:
                continue
            if t in seen:
                problems.append(f"{seen[t]!r} and {h!r} both map to {t}")
            seen[t] = h
        problems += [f"status {v!r} → {s!r} is not a status" for v, s in self.statuses.items()
                     if s not in Status.__members__]
        problems += [f"priority {v!r} → {p!r} is not a priority"
                     for v, p in self.priorities.items() if p not in Priority.__members__]
        if "subject" not in seen and "description" not in seen:
            problems.append("no column maps to the subject (or the description, whose first "
                            "line then becomes the subject)")
        if problems:
            raise ValidationError("The mapping cannot be used: " + "; ".join(problems) + ".")

    def to_json(self) -> str:
        return json.dumps({"ticketdesk_import_mapping": 1, "system": self.system,
                           "columns": self.columns, "statuses": self.statuses,
                           "priorities": self.priorities, "day_first": self.day_first,
                           "timezone": self.timezone, "event_log": self.event_log},
                          indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        try:
            data: Any = json.loads(text)
        except ValueError as exc:
            raise ValidationError(f"The mapping preset is not valid JSON ({exc}).") from None
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise ValidationError("The mapping preset has no \"columns\" object; save one with "
                                  "--save-mapping.")

        def names(key: str) -> dict[str, str]:
            value = data.get(key) or {}
            if not isinstance(value, dict) or not all(isinstance(v, str)
                                                      for v in value.values()):
                raise ValidationError(f"The mapping preset's {key!r} must map text to text.")
            return {str(k): v for k, v in value.items()}

        day_first, event_log = data.get("day_first"), data.get("event_log")
        mapping = cls(columns=names("columns"), statuses=names("statuses"),
                      priorities=names("priorities"),
                      system=data.get("system") if isinstance(data.get("system"), str) else None,
                      day_first=day_first if isinstance(day_first, bool) else None,
                      timezone=data.get("timezone") if isinstance(data.get("timezone"), str)
                      else None,
                      event_log=event_log if isinstance(event_log, bool) else None)
        mapping.check()
        return mapping


def detect_system(headers: list[str]) -> str | None:
    """The known system whose export has these headers (two signature headers at least)."""
    keys = {fold(h) for h in headers}
    scores = {system: sum(1 for s in signature if s in keys)
              for system, signature in _SIGNATURES.items()}
    best = max(scores, key=lambda s: scores[s])
    return best if scores[best] >= 2 else None


def suggest(headers: list[str], system: str | None = None) -> Mapping:
    """The mapping a user starts from: each header's target from the known exports' names
    and words in five languages (a target already taken by an earlier column is not given
    twice; the later column is ignored, and the dry run says so)."""
    system = system or detect_system(headers)
    special = _SYSTEM_HEADERS.get(system or "", {})
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = fold(header)
        target = special.get(key) or _HEADERS.get(key) or _by_words(key) or IGNORE
        if target not in SHARED and target in taken:
            target = IGNORE
        taken.add(target)
        columns[header] = target
    return Mapping(columns=columns, system=system)


def _by_words(key: str) -> str | None:
    """A header like "Ticket: Created at" or "Incident (opened_at)": its last words."""
    words = key.split()
    for start in range(1, len(words)):
        if (part := " ".join(words[start:])) in _HEADERS:
            return _HEADERS[part]
    return None
