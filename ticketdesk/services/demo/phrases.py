"""What customers write about and how agents answer: the topics of demo tickets and the
stock phrases around the random words.

A topic fixes a ticket's category, the tags an agent would give it and the reference it mentions
(an order number, an invoice, an error code...), so that filters by category or tag, and searches
for "refund" or an error code, find tickets that read as if they belonged together.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """One kind of request: its category, the tags agents give it, how it is phrased."""

    category: str
    tags: tuple[str, ...]
    subjects: tuple[str, ...]
    asks: tuple[str, ...]
    slot: str
    """Which reference the texts mention: order, invoice, error, plan or thing."""
    weight: float


TAGS = ("billing", "refund", "invoice", "login", "password", "bug", "crash", "performance",
        "integration", "mobile", "shipping", "returns", "feature-request", "security",
        "onboarding")

TOPICS: tuple[Topic, ...] = (
    Topic("Billing", ("refund", "billing"), (
        "Refund for order {}", "Refund request for order {}", "Please refund order {}"), (
        "I would like a refund for order {}.", "Order {} was cancelled but I was still charged."),
        "order", 5),
    Topic("Billing", ("invoice", "billing"), (
        "Invoice {} shows the wrong amount", "Need a corrected copy of invoice {}",
        "VAT number missing on invoice {}"), (
        "The total on invoice {} does not match our contract.",
        "Our accounts team cannot book invoice {} as it is."), "invoice", 5),
    Topic("Billing", ("billing",), (
        "Charged twice for the {} plan", "Card declined when renewing {}",
        "Question about the {} plan price"), (
        "We were charged twice this month for the {} plan.",
        "The renewal of our {} subscription failed although the card is valid."), "plan", 4),
    Topic("Technical", ("crash", "bug"), (
        "App crashes when exporting {}", "Crash when opening {}",
        "Desktop app closes while saving {}"), (
        "The app crashes every time I export {}.", "Opening {} makes the program close."),
        "thing", 6),
    Topic("Technical", ("bug",), (
        "Error {} when saving", "Error {} after the update", "Getting error {} on login"), (
        "Since yesterday we get error {} on every save.",
        "Several colleagues see error {} after the update."), "error", 7),
    Topic("Technical", ("performance",), (
        "Very slow to load {}", "Dashboard takes minutes to open {}",
        "Search is slow since the update ({})"), (
        "Loading {} takes more than a minute now.", "Everything involving {} became very slow."),
        "thing", 4),
    Topic("Technical", ("integration",), (
        "Sync with the calendar stopped ({})", "Webhook for {} no longer fires",
        "CRM connector fails with {}"), (
        "The integration stopped syncing {} overnight.", "Our webhook for {} returns nothing."),
        "thing", 3),
    Topic("Technical", ("mobile", "bug"), (
        "Mobile app does not show {}", "iOS app logs me out when opening {}",
        "Android app freezes on {}"), (
        "On my phone {} never finishes loading.", "The mobile app freezes whenever I open {}."),
        "thing", 4),
    Topic("Account", ("login",), (
        "Cannot log in to my account", "Locked out after the update",
        "Login fails with error {}"), (
        "I cannot sign in; the page shows error {}.",
        "My login stopped working this morning ({})."),
        "error", 6),
    Topic("Account", ("password", "login"), (
        "Password reset email never arrives", "Reset link expired ({})",
        "Cannot change my password"), (
        "I asked for a password reset three times and got nothing ({}).",
        "The reset link says it expired immediately ({})."), "error", 5),
    Topic("Account", ("security",), (
        "Suspicious sign-in on my account", "Two-factor code not accepted",
        "Please remove an old device from my account"), (
        "I got an alert about a sign-in I did not make ({}).",
        "The two-factor code from the app is always rejected ({})."), "error", 3),
    Topic("Account", (), (
        "Change the email address on my account", "Merge two accounts",
        "Close my account"), (
        "Please update the email address on our account ({}).",
        "We have two accounts and would like to keep one ({})."), "plan", 3),
    Topic("Shipping", ("shipping",), (
        "Order {} has not arrived", "Where is my order {}?",
        "Tracking for order {} not updating"), (
        "Order {} was due last week and has not arrived.",
        "The tracking page for order {} has not changed for days."), "order", 6),
    Topic("Shipping", ("returns", "shipping"), (
        "Parcel damaged on delivery ({})", "Wrong item received in order {}",
        "How do I return order {}?"), (
        "The parcel for order {} arrived damaged.", "Order {} contained the wrong item."),
        "order", 4),
    Topic("Sales", ("billing",), (
        "Quote for more seats on {}", "Upgrade from {} to a bigger plan",
        "Discount for a nonprofit on {}"), (
        "We would like a quote for twenty more seats on {}.",
        "Can we move from {} to the next plan mid-term?"), "plan", 3),
    Topic("Feature Request", ("feature-request",), (
        "Feature request: export {}", "Please add dark mode to {}",
        "Suggestion: bulk edit for {}"), (
        "It would help us a lot to export {} directly.",
        "Many of our staff asked for a better way to handle {}."), "thing", 3),
    Topic("General", ("onboarding",), (
        "How do I set up {}?", "Question about {}", "Getting started with {}"), (
        "We are new and would like to know how to set up {}.",
        "Where can I find the documentation about {}?"), "thing", 4),
)

PLANS = ("Starter", "Team", "Business", "Enterprise", "Education")
THINGS = ("the monthly report", "the customer list", "invoices as PDF", "the sales dashboard",
          "the CSV export", "shared calendars", "the product catalogue", "the audit log",
          "purchase orders", "the stock levels", "user permissions", "the quarterly summary",
          "email templates", "the price list", "time sheets", "the order history")
INFO_NEEDED = ("a screenshot of the error", "the exact time it happened", "your browser version",
               "the order number from the confirmation email", "the email address you sign in "
               "with", "a photo of the parcel", "the log file from the app",
               "the steps that lead to the problem")
GREETINGS = ("Hello,", "Hi,", "Hi there,", "Good morning,", "Dear support team,", "Hello team,")
SIGNOFFS = ("Thanks,", "Best regards,", "Kind regards,", "Many thanks,", "Cheers,", "Regards,")
ACKS = ("Thanks for getting in touch.", "Sorry for the trouble.", "Thank you for the details.",
        "Thanks for your patience.", "Sorry for the slow reply.", "Thanks for letting us know.")
WORKING = ("I have looked into this and", "Our team checked the logs and", "I reproduced it here;",
           "I escalated this to our engineers and", "I checked your account and")
ASKING = ("Could you send us {}?", "Would you mind sending {}?", "Can you share {}?")
SOLVED = ("This is fixed now;", "I corrected it on our side;", "The refund is on its way;",
          "A new version with the fix is out;", "I have updated your account;")
FOLLOW_UPS = ("Let us know if anything else comes up.", "Feel free to reply if it happens again.",
              "We will close this ticket in a few days if we do not hear back.")
CUSTOMER_LEADS = ("Here is what you asked for:", "It happened again this morning:",
                  "Thanks for the quick answer.", "Still not working for us:",
                  "Some more details:", "Any update on this?", "One more thing:")
THANKS = ("That fixed it, thank you!", "All good now, thanks.", "Works again, many thanks.")
REOPEN_LEADS = ("Sorry, the problem is back:", "This is happening again:",
                "Unfortunately it is not solved:")
NOTE_LEADS = ("Checked the logs:", "Called the customer;", "Escalated to tier 2:",
              "Waiting for the warehouse:", "Known issue, engineering is on it:",
              "Talked to billing:", "Possible workaround:", "Customer is on the", "Reminder:")
RESOLUTION_LEADS = ("Resolution:", "Fixed by:", "Root cause:", "Solved:")
