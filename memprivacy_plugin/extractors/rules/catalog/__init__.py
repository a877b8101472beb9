"""The built-in recognisers, by family. `default_recognizers()` is their concatenation."""

from __future__ import annotations

from ..engine import Recognizer
from .accounts import account_recognizers
from .addresses import address_recognizers
from .amounts import amount_recognizers
from .background import background_recognizers
from .biometrics import biometric_recognizers
from .conditions import condition_recognizers
from .contact import contact_recognizers
from .crypto import crypto_recognizers
from .finance import finance_recognizers
from .health import health_recognizers
from .identifiers import identifier_recognizers
from .identity import identity_recognizers
from .introductions import introduction_recognizers
from .itinerary import itinerary_recognizers
from .judicial import judicial_recognizers
from .locations import location_recognizers
from .medications import medication_recognizers
from .named_people import named_people_recognizers
from .relationships import relationship_recognizers
from .secrets import secret_recognizers
from .transactions import transaction_recognizers
from .vehicles import vehicle_recognizers

__all__ = ["FAMILIES", "default_recognizers"]

# Family name -> the function that builds its recognisers, strongest (PL4) first.
FAMILIES = {
    "secrets": secret_recognizers,
    "crypto": crypto_recognizers,
    "identifiers": identifier_recognizers,
    "finance": finance_recognizers,
    "health": health_recognizers,
    "vehicles": vehicle_recognizers,
    "contact": contact_recognizers,
    "addresses": address_recognizers,
    "locations": location_recognizers,
    "accounts": account_recognizers,
    "background": background_recognizers,
    "introductions": introduction_recognizers,
    "relationships": relationship_recognizers,
    "named_people": named_people_recognizers,
    "conditions": condition_recognizers,
    "medications": medication_recognizers,
    "judicial": judicial_recognizers,
    "biometrics": biometric_recognizers,
    "amounts": amount_recognizers,
    "transactions": transaction_recognizers,
    "itinerary": itinerary_recognizers,
    "identity": identity_recognizers,
}


def default_recognizers() -> list[Recognizer]:
    """The built-in recognisers of every family (the order only matters for listing)."""
    return [rec for build in FAMILIES.values() for rec in build()]
