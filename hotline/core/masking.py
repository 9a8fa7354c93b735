"""The one way personal data is masked (issue 14 item 3): pages, the API, exports, the
notification delivery log and the Django admin all call these."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """`139****2222`; short numbers keep nothing."""
    phone = phone or ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else ("****" if phone else "")


def mask_name(name: str) -> str:
    """`张**`: the family name only."""
    return (name[:1] + "**") if name else ""


def mask_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else mask_phone(address)


def mask_contact(address: str) -> str:
    """A phone number or an e-mail address, whichever it is."""
    return mask_email(address) if "@" in (address or "") else mask_phone(address)


def mask_openid(openid: str) -> str:
    """`wx:oAb***yz`: a WeChat follower's openid keeps its first three and last two."""
    openid = openid or ""
    return f"wx:{openid[:3]}***{openid[-2:]}" if len(openid) > 6 else ("wx:***" if openid else "")


def mask_citizen_contact(citizen) -> str:
    """A citizen's contact masked: the phone, else the e-mail, else the WeChat openid."""
    if citizen.phone:
        return mask_phone(citizen.phone)
    if getattr(citizen, "email", ""):
        return mask_email(citizen.email)
    return mask_openid(getattr(citizen, "wechat_openid", ""))
