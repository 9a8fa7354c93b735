from ninja import Schema


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    unit_code: str | None
    unit_name: str | None
    capabilities: list[str]


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    active: bool
    service_hours: str
    public_phone: str
    liaison_name: str
    liaison_phone: str


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail
