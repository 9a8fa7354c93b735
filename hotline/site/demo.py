"""The demo city: 青溪市, a fictional county-level city, so every page has content.

Deterministic and idempotent: units are matched by code and users by username, and the
demo passwords are reset to their printed values on every run. Later features add
their own demo data here (tickets, policies, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from hotline.accounts.models import Role, User
from hotline.core.models import audit
from hotline.directory.demo_data import build_demo_catalog
from hotline.directory.models import Unit, UnitKind
from hotline.emergencies.defaults import install_default_keywords

K = UnitKind
OFFICE_HOURS = "工作日 8:30-12:00，14:00-17:30"
ALL_DAY = "24小时"

# (code, name, kind, parent code, service hours)
UNITS: tuple[tuple[str, str, str, str, str], ...] = (
    ("QX", "青溪市人民政府", K.GOVERNMENT, "", OFFICE_HOURS),
    ("QX-HL", "青溪市12345政务服务便民热线中心", K.CENTER, "QX", ALL_DAY),
    ("QX-ZJJ", "市住房和城乡建设局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-CGJ", "市综合行政执法局（城市管理局）", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-SJJ", "市市场监督管理局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-RSJ", "市人力资源和社会保障局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-JYJ", "市教育局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-WJJ", "市卫生健康局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-GAJ", "市公安局", K.DEPARTMENT, "QX", ALL_DAY),
    ("QX-JTJ", "市交通运输局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-HBJ", "市生态环境局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-ZRJ", "市自然资源和规划局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-MZJ", "市民政局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-SLJ", "市水利局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-NYJ", "市农业农村局", K.DEPARTMENT, "QX", OFFICE_HOURS),
    ("QX-YJJ", "市应急管理局", K.DEPARTMENT, "QX", ALL_DAY),
    ("QX-KFQ", "青溪经济开发区管委会", K.DISTRICT, "QX", OFFICE_HOURS),
    ("QX-CD", "城东街道办事处", K.TOWN, "QX", OFFICE_HOURS),
    ("QX-CX", "城西街道办事处", K.TOWN, "QX", OFFICE_HOURS),
    ("QX-JB", "江滨街道办事处", K.TOWN, "QX", OFFICE_HOURS),
    ("QX-BS", "白沙镇人民政府", K.TOWN, "QX", OFFICE_HOURS),
    ("QX-SQ", "石桥镇人民政府", K.TOWN, "QX", OFFICE_HOURS),
    ("QX-ML", "梅岭镇人民政府", K.TOWN, "QX", OFFICE_HOURS),
    ("QX-SW", "青溪市供水有限公司", K.UTILITY, "QX", ALL_DAY),
    ("QX-GD", "国网青溪市供电公司", K.UTILITY, "QX", ALL_DAY),
    ("QX-RQ", "青溪市燃气有限公司", K.UTILITY, "QX", ALL_DAY),
    ("QX-DX", "中国电信青溪分公司", K.UTILITY, "QX", ALL_DAY),
    ("QX-ZJJ-WY", "市物业管理服务中心", K.OFFICE, "QX-ZJJ", OFFICE_HOURS),
    ("QX-CGJ-CD", "城东执法中队", K.OFFICE, "QX-CGJ", ALL_DAY),
    ("QX-SJJ-CD", "城东市场监督管理所", K.OFFICE, "QX-SJJ", OFFICE_HOURS),
    ("QX-CD-DM", "东门社区居民委员会", K.COMMUNITY, "QX-CD", OFFICE_HOURS),
    ("QX-CD-XH", "新华社区居民委员会", K.COMMUNITY, "QX-CD", OFFICE_HOURS),
    ("QX-CX-XH", "西湖社区居民委员会", K.COMMUNITY, "QX-CX", OFFICE_HOURS),
    ("QX-CX-GH", "桂花社区居民委员会", K.COMMUNITY, "QX-CX", OFFICE_HOURS),
    ("QX-JB-BJ", "滨江社区居民委员会", K.COMMUNITY, "QX-JB", OFFICE_HOURS),
    ("QX-BS-BS", "白沙村村民委员会", K.COMMUNITY, "QX-BS", OFFICE_HOURS),
    ("QX-BS-XP", "下坪村村民委员会", K.COMMUNITY, "QX-BS", OFFICE_HOURS),
    ("QX-SQ-SQ", "石桥村村民委员会", K.COMMUNITY, "QX-SQ", OFFICE_HOURS),
    ("QX-ML-ML", "梅岭村村民委员会", K.COMMUNITY, "QX-ML", OFFICE_HOURS),
    # The government duty office: emergencies and risk events are reported to it (R-DA-5).
    ("QX-ZBS", "青溪市人民政府总值班室", K.DEPARTMENT, "QX", ALL_DAY),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = (
    "建国",
    "丽华",
    "志强",
    "秀英",
    "海燕",
    "伟",
    "敏",
    "静",
    "磊",
    "婷",
    "军",
    "洋",
    "勇",
    "艳",
)


def _person(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 5) % len(GIVEN)]


def _mobile(index: int) -> str:
    return f"139{(57000000 + index * 7919) % 100000000:08d}"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    unit_code: str
    operator_no: str = ""

    @property
    def password(self) -> str:
        return f"{self.username}@12345"


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "系统管理员", Role.ADMIN, "QX-HL"),
    DemoAccount("operator1", "赵晓敏", Role.OPERATOR, "QX-HL", "1001"),
    DemoAccount("operator2", "钱雨欣", Role.OPERATOR, "QX-HL", "1002"),
    DemoAccount("dispatcher1", "孙立新", Role.DISPATCHER, "QX-HL"),
    DemoAccount("visitor1", "李文静", Role.VISITOR, "QX-HL"),
    DemoAccount("supervisor1", "周正平", Role.SUPERVISOR, "QX-HL"),
    DemoAccount("analyst1", "吴思远", Role.ANALYST, "QX-HL"),
    DemoAccount("mayor", "郑国华", Role.CITY_LEADER, "QX"),
    DemoAccount("zjj_clerk", "冯建军", Role.UNIT_CLERK, "QX-ZJJ"),
    DemoAccount("zjj_leader", "陈志强", Role.UNIT_LEADER, "QX-ZJJ"),
    DemoAccount("cgj_clerk", "褚海燕", Role.UNIT_CLERK, "QX-CGJ"),
    DemoAccount("cgj_leader", "卫东升", Role.UNIT_LEADER, "QX-CGJ"),
    DemoAccount("cd_clerk", "蒋丽华", Role.UNIT_CLERK, "QX-CD"),
    DemoAccount("cd_leader", "沈伟", Role.UNIT_LEADER, "QX-CD"),
    # More units that handle their tickets, so the demo's rankings compare several units.
    DemoAccount("rsj_clerk", "韩梅", Role.UNIT_CLERK, "QX-RSJ"),
    DemoAccount("rsj_leader", "杨帆", Role.UNIT_LEADER, "QX-RSJ"),
    DemoAccount("jtj_clerk", "曹阳", Role.UNIT_CLERK, "QX-JTJ"),
    DemoAccount("jtj_leader", "彭程", Role.UNIT_LEADER, "QX-JTJ"),
    DemoAccount("hbj_clerk", "肖雨", Role.UNIT_CLERK, "QX-HBJ"),
    DemoAccount("hbj_leader", "袁野", Role.UNIT_LEADER, "QX-HBJ"),
    DemoAccount("sjj_clerk", "潘婷", Role.UNIT_CLERK, "QX-SJJ"),
    DemoAccount("sjj_leader", "田磊", Role.UNIT_LEADER, "QX-SJJ"),
)


@transaction.atomic
def build_demo_city() -> list[DemoAccount]:
    units: dict[str, Unit] = {}
    for order, (code, name, kind, parent_code, hours) in enumerate(UNITS):
        index = order * 3
        units[code], _created = Unit.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": units[parent_code] if parent_code else None,
                "active": True,
                "sort_order": order * 10,
                "service_hours": hours,
                "public_phone": f"0570-{8810000 + order * 131}",
                "liaison_name": _person(index),
                "liaison_phone": _mobile(index),
                "deputy_head_name": _person(index + 1),
                "deputy_head_phone": _mobile(index + 1),
                "head_name": _person(index + 2),
                "head_phone": _mobile(index + 2),
            },
        )
    for account in ACCOUNTS:
        user, _created = User.objects.get_or_create(username=account.username)
        user.full_name = account.full_name
        user.role = account.role
        user.unit = units[account.unit_code]
        user.operator_no = account.operator_no
        user.is_active = True
        user.is_staff = user.is_superuser = account.role == Role.ADMIN
        user.set_password(account.password)
        user.save()
    _install_policies(User.objects.get(username="admin"))
    build_demo_catalog()
    install_default_keywords()  # R-IN-4: the emergency words (hotline.emergencies)
    audit(kind="demo_city_built", actor=None, units=len(UNITS), accounts=len(ACCOUNTS))
    return list(ACCOUNTS)


def _install_policies(admin: User) -> None:
    """The presets whose numbers the regulations give; KJ is the default (SR needs numbers)."""
    from hotline.sla.models import DeadlinePolicy
    from hotline.sla.services import policy_install_preset, policy_set_default

    for code in ("KJ", "LX", "KM", "ZS"):
        if not DeadlinePolicy.objects.filter(code=code).exists():
            policy_install_preset(actor=admin, code=code)
    if not DeadlinePolicy.objects.filter(is_default=True).exists():
        policy_set_default(actor=admin, policy=DeadlinePolicy.objects.get(code="KJ"))
