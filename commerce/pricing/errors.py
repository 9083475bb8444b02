from core.errors import DomainError


class PricingError(DomainError):
    """A price, list or contract that cannot be saved as given; ``field`` says where."""
