"""Demo tickets for the demo city: a few hundred in every state, made through the real
services at moments spread over the past weeks, so every page has something to show.

Text comes from the Teddy Cup 2020 citizen messages when a checkout of the project's
`shared/data` sits beside the repository (or HOTLINE_DEMO_DATA points at it); otherwise
from a short built-in list. The product never needs those files.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction

from hotline.accounts.models import User
from hotline.core import clock
from hotline.directory.models import Unit
from hotline.tickets import demo_followup
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Reply, Ticket

# The Teddy Cup's level-1 classes → the demo city's responsible units and a ticket kind.
LABEL_UNITS = {
    "城乡建设": ("QX-ZJJ", "complaint"),
    "劳动和社会保障": ("QX-RSJ", "help"),
    "教育文体": ("QX-JYJ", "consult"),
    "卫生计生": ("QX-WJJ", "consult"),
    "交通运输": ("QX-JTJ", "complaint"),
    "商贸旅游": ("QX-SJJ", "complaint"),
    "环境保护": ("QX-HBJ", "report"),
}
# … and the demo city's level-1 topics (诉求分类), so its tickets carry topics and the
# topic model can learn from them at `make demo`.
LABEL_TOPICS = {
    "城乡建设": "01",
    "环境保护": "02",
    "劳动和社会保障": "03",
    "交通运输": "04",
    "商贸旅游": "05",
    "教育文体": "06",
    "卫生计生": "07",
}
BUILT_IN = [
    (
        "城乡建设",
        "小区电梯频繁故障",
        "我住在城东新华小区 3 栋，电梯一个月坏了四次，物业维修拖延，老人上下楼困难。",
    ),
    (
        "城乡建设",
        "道路井盖缺失",
        "江滨路与桂花路交叉口附近井盖缺失，夜间行人车辆存在安全隐患，请尽快处理。",
    ),
    (
        "劳动和社会保障",
        "工地拖欠农民工工资",
        "我在开发区某工地做了三个月，老板一直拖欠工资两万余元，请求帮助讨薪。",
    ),
    (
        "劳动和社会保障",
        "社保转移接续咨询",
        "我从外省回到青溪工作，想咨询养老保险关系如何转移接续，需要哪些材料。",
    ),
    ("教育文体", "学区划分咨询", "孩子明年上小学，想了解城西片区的学区划分和报名时间。"),
    (
        "卫生计生",
        "医院挂号难",
        "市人民医院专家号总是挂不上，网上显示已满，现场也挂不到，希望改进。",
    ),
    ("交通运输", "公交线路调整建议", "建议 5 路公交延伸到白沙镇，方便镇上居民进城就医。"),
    ("商贸旅游", "超市出售过期食品", "在城东某超市购买的牛奶已过保质期，商家拒绝退换，请求处理。"),
    ("环境保护", "夜间施工噪音扰民", "滨江社区旁工地每晚施工到凌晨，噪音很大，严重影响休息。"),
    ("环境保护", "餐馆油烟直排", "楼下餐馆油烟直接排放，家里窗户都不敢开，请环保部门查处。"),
]
# (state, weight) of the finished demo.
STATES = [
    ("pending_dispatch", 8),
    ("dispatched", 14),
    ("handling", 24),
    ("return_review", 4),
    ("replied", 8),
    ("completed", 10),
    ("closed", 24),
    ("answered", 5),
    ("declined", 3),
]


def _shared_messages() -> Iterator[tuple[str, str, str]]:
    root = os.environ.get("HOTLINE_DEMO_DATA")
    base = Path(root) if root else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    path = base / "teddy2020" / "train.csv"
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("label") in LABEL_UNITS and row.get("subject"):
                detail = " ".join((row.get("detail") or "").split())[:600]
                yield row["label"], row["subject"].strip()[:200], detail


def build_demo_tickets(*, count: int = 500, seed: int = 12345) -> int:
    """Make up to `count` tickets (idempotent: tops up to `count`). Returns how many made."""
    missing = count - Ticket.objects.count()
    if missing <= 0:
        return 0
    rng = random.Random(seed + Ticket.objects.count())
    messages = list(_shared_messages()) or BUILT_IN
    people = {u.username: u for u in User.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    states = [state for state, weight in STATES for _ in range(weight)]
    start = clock.now() - timedelta(days=40)
    for index in range(missing):
        label, summary, detail = messages[rng.randrange(len(messages))]
        moment = start + timedelta(minutes=rng.randrange(40 * 24 * 60))
        moment = min(moment, clock.now() - timedelta(hours=1))
        with transaction.atomic():
            _one(rng, people, units, label, summary, detail, rng.choice(states), moment, index)
    return missing


def _one(rng, people, units, label, summary, detail, state, moment: datetime, index: int):
    from hotline.directory.models import Topic

    code, kind = LABEL_UNITS[label]
    topic = Topic.objects.filter(code=LABEL_TOPICS[label]).first()
    phone = f"13{rng.randrange(100000000, 999999999)}"
    step = timedelta(hours=rng.randrange(2, 30))
    operator = people[rng.choice(["operator1", "operator2"])]

    def at(n: int) -> datetime:
        return min(moment + step * n, clock.now())

    with clock.frozen_at(at(0)):
        if state in ("answered", "declined"):
            s.ticket_create(
                actor=operator,
                phone=phone,
                name="",
                summary=summary,
                detail=detail,
                kind=kind,
                intake_outcome="answer_now" if state == "answered" else "decline",
                answer="已根据知识库当即答复" if state == "answered" else "",
                decline_reason="" if state == "answered" else "other_city",
                topic=topic,
            )
            return
        ticket = s.ticket_create(
            actor=operator,
            phone=phone,
            summary=summary,
            detail=detail,
            kind=kind,
            name=rng.choice(["", "王先生", "李女士", "张女士"]),
            topic=topic,
        )
    if state == "pending_dispatch":
        return
    # Tickets handled by the demo accounts' units go there; the rest to the matching unit.
    lead_code = rng.choice([code, code, "QX-ZJJ", "QX-CGJ", "QX-CD"])
    assists = [units["QX-CD-DM"]] if lead_code == "QX-CD" and index % 3 == 0 else []
    with clock.frozen_at(at(1)):
        s.ticket_dispatch(
            actor=people["dispatcher1"],
            ticket=ticket,
            lead=units[lead_code],
            assists=assists,
            mode=rng.choice(["written", "written", "phone"]),
        )
    if state == "dispatched":
        return
    lead = ticket.assignments.get(role=Assignment.Role.LEAD, active=True)
    clerk = _member(people, lead.unit_id, "unit_clerk") or people["dispatcher1"]
    leader = _member(people, lead.unit_id, "unit_leader")
    if clerk.role != "unit_clerk" or leader is None:
        return  # units without demo accounts stay dispatched
    # A send-back must come within the return window (KJ: 1 working day): sign at once.
    signed_at = at(1) + timedelta(minutes=10) if state == "return_review" else at(2)
    with clock.frozen_at(signed_at):
        s.assignment_sign(actor=clerk, assignment=lead)
    if state == "return_review":
        with clock.frozen_at(signed_at + timedelta(minutes=20)):
            s.send_back_request(
                actor=clerk,
                assignment=lead,
                reason="该事项不属于本单位职责",
                legal_basis="本单位“三定”方案",
            )
        return
    demo_followup.contact(index, clerk, lead, signed_at, at(3))
    if state == "handling":
        demo_followup.requests(index, people, clerk, lead, min(at(3), clock.now()))
        return
    with clock.frozen_at(at(3)):
        reply = s.reply_submit(
            actor=clerk,
            assignment=lead,
            points=[summary],
            text=f"经核查，{summary}一事已按规定处理，并电话告知诉求人。",
        )
    with clock.frozen_at(at(4)):
        s.reply_decide(actor=leader, reply=reply, approve=True)
    if state == "replied":
        return
    with clock.frozen_at(at(5)):
        s.completion_decide(actor=people["dispatcher1"], ticket=ticket, approve=True)
    if state == "completed":
        demo_followup.first_attempt_failed(index, people, ticket, at(6))
        return
    satisfaction = rng.choice(["satisfied", "satisfied", "basic", "unsatisfied"])
    visited = demo_followup.visit(index, people, ticket, at(6), satisfaction)
    if satisfaction == "unsatisfied":
        with clock.frozen_at(min(max(at(7), visited + timedelta(minutes=30)), clock.now())):
            s.ticket_screen(actor=people["visitor1"], ticket=ticket, reason="单位已依法履职")
    assert Reply.objects.filter(assignment=lead).exists()


def _member(people, unit_id: int, role: str) -> User | None:
    return next((u for u in people.values() if u.unit_id == unit_id and u.role == role), None)
