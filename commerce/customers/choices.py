"""Enumerations of the customers domain."""

from django.db import models


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"


class TwoFactorPolicy(models.TextChoices):
    """Whether a company's members sign in with a TOTP code as well as their password."""

    OFF = "off", "Off"
    OPTIONAL = "optional", "Optional (members may set it up)"
    REQUIRED = "required", "Required (set up at the next sign-in)"


class PaymentTerms(models.TextChoices):
    PREPAYMENT = "prepayment", "Prepayment"
    CARD = "card", "Card"
    NET = "net", "Net terms"


class MemberRole(models.TextChoices):
    BUYER = "buyer", "Buyer"
    APPROVER = "approver", "Approver"
    FINANCE = "finance", "Finance"
    COMPANY_ADMIN = "company_admin", "Company admin"
    VIEWER = "viewer", "Viewer"


# Roles that may place orders; viewers and finance only look.
ORDERING_ROLES = {MemberRole.BUYER, MemberRole.APPROVER, MemberRole.COMPANY_ADMIN}

# EU-style VAT id formats per country (ISO 3166 alpha-2), checked with a clear message.
VAT_PATTERNS: dict[str, tuple[str, str]] = {
    "AT": (r"^ATU\d{8}$", "ATU followed by 8 digits, e.g. ATU12345678"),
    "BE": (r"^BE[01]\d{9}$", "BE followed by 10 digits starting with 0 or 1, e.g. BE0123456789"),
    "DE": (r"^DE\d{9}$", "DE followed by 9 digits, e.g. DE123456789"),
    "DK": (r"^DK\d{8}$", "DK followed by 8 digits, e.g. DK12345678"),
    "ES": (r"^ES[0-9A-Z]\d{7}[0-9A-Z]$", "ES followed by 9 characters, e.g. ESX1234567X"),
    "FI": (r"^FI\d{8}$", "FI followed by 8 digits, e.g. FI12345678"),
    "FR": (r"^FR[0-9A-Z]{2}\d{9}$", "FR, 2 characters, then 9 digits, e.g. FR12345678901"),
    "GB": (r"^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$", "GB followed by 9 digits, e.g. GB123456789"),
    "IE": (
        r"^IE\d[0-9A-Z+*]\d{5}[A-W][A-I]?$",
        "IE followed by 8 or 9 characters, e.g. IE1234567T",
    ),
    "IT": (r"^IT\d{11}$", "IT followed by 11 digits, e.g. IT12345678901"),
    "LU": (r"^LU\d{8}$", "LU followed by 8 digits, e.g. LU12345678"),
    "NL": (r"^NL\d{9}B\d{2}$", "NL, 9 digits, B, 2 digits, e.g. NL123456789B01"),
    "PL": (r"^PL\d{10}$", "PL followed by 10 digits, e.g. PL1234567890"),
    "PT": (r"^PT\d{9}$", "PT followed by 9 digits, e.g. PT123456789"),
    "SE": (r"^SE\d{10}01$", "SE followed by 12 digits ending in 01, e.g. SE123456789701"),
    "CH": (r"^CHE\d{9}(MWST|TVA|IVA)?$", "CHE followed by 9 digits, e.g. CHE123456789MWST"),
}

COUNTRY_CHOICES = [
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("CH", "Switzerland"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LU", "Luxembourg"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("SE", "Sweden"),
    ("US", "United States"),
]

# Postcode formats per country, for the integrity checks of addresses.
POSTCODE_PATTERNS: dict[str, tuple[str, str]] = {
    "AT": (r"^\d{4}$", "4 digits"),
    "BE": (r"^\d{4}$", "4 digits"),
    "CH": (r"^\d{4}$", "4 digits"),
    "DE": (r"^\d{5}$", "5 digits"),
    "DK": (r"^\d{4}$", "4 digits"),
    "ES": (r"^\d{5}$", "5 digits"),
    "FI": (r"^\d{5}$", "5 digits"),
    "FR": (r"^\d{5}$", "5 digits"),
    "GB": (r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", "like SW1A 1AA"),
    "IE": (r"^[A-Z]\d[\dW] ?[A-Z\d]{4}$", "an Eircode like D02 X285"),
    "IT": (r"^\d{5}$", "5 digits"),
    "LU": (r"^\d{4}$", "4 digits"),
    "NL": (r"^\d{4} ?[A-Z]{2}$", "like 1234 AB"),
    "NO": (r"^\d{4}$", "4 digits"),
    "PL": (r"^\d{2}-\d{3}$", "like 00-950"),
    "PT": (r"^\d{4}-\d{3}$", "like 1000-001"),
    "SE": (r"^\d{3} ?\d{2}$", "like 123 45"),
    "US": (r"^\d{5}(-\d{4})?$", "5 digits (ZIP)"),
}
