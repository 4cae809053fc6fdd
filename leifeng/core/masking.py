"""How personal data is shown (DOMAIN.md §10): server-side, everywhere, the same way."""


def mask_document(number: str) -> str:
    """1405**********1234: the first and last four characters stay."""
    if len(number) <= 8:
        return number[:2] + "*" * max(len(number) - 2, 0)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_mobile(mobile: str) -> str:
    """138****5678."""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) == 11 else "*" * len(mobile)


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧阳**: the family name stays, the given name is starred."""
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)
