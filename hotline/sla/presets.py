"""The five regulations' deadlines as presets, each rule citing its clause (R-DL-2).

An administrator copies a preset and edits it; the copy becomes a new policy version.
Where a regulation is silent on a clock rule, the preset keeps the default and says so
by leaving the citation empty.
"""

from __future__ import annotations

from hotline.sla.policies import (
    DEFAULT_LADDER,
    ClockPolicy,
    ClockStart,
    Contact,
    FollowUp,
    Kind,
    Mode,
    Parameter,
    Period,
    PeriodUnit,
    Policy,
    Rule,
    RungAnchor,
    RungMeasure,
    Urgency,
    working_days,
)
from hotline.sla.policies import Rung as Step

K = Kind

KJ_CLAUSE = "开江 预警机制 二(一)"
KJ = Policy(
    code="KJ",
    name="开江县12345热线预警机制",
    source="开江县12345政务服务便民热线(市长热线)预警机制（2022）",
    rules=tuple(
        Rule(
            key=key,
            label=label,
            kinds=kinds,
            sign=working_days(1),
            reply=working_days(days),
            reminder_leads=(lead,),
            return_window=working_days(1),
            extension_allowed=False,
            citation=KJ_CLAUSE,
            note="工单原则上不得延期办理；接到工单1个工作日内签收，1个工作日内可退回，超期不予回退",
        )
        for key, label, kinds, days, lead in (
            ("consult", "咨询类", (K.CONSULT,), 3, 2),
            ("suggest", "意见、建议类", (K.SUGGEST,), 5, 3),
            ("help", "求助、投诉、举报类", (K.HELP, K.COMPLAINT, K.REPORT), 10, 5),
        )
    ),
    # KJ 二(三): deputy urges deputy, head urges head, then the supervising bureau's
    # supervision letter; then R-SV-3 (LX 四4, KM 17), which KJ leaves to 三(三).
    ladder=DEFAULT_LADDER,
    # KJ names no contact window; 1 working day matches its 1-day signing (二(一)).
    follow_up=FollowUp(
        contact_within=working_days(1),
        visit_within=working_days(3),
        retry_after=Period(PeriodUnit.WORKING_HOURS, 4),
        max_attempts=3,
        citation="开江 预警机制 二(一)；中山 第二十条(一)、第二十三条（天数为本市设定）",
    ),
)

LX_CLAUSE = "兰溪 实施细则 四3"
LX = Policy(
    code="LX",
    name="兰溪市市长热线实施细则",
    source="兰溪市12345市长热线电话受理中心工作实施细则（试行）（2010）",
    rules=(
        Rule(
            key="instruction",
            label="领导批办事项",
            modes=(Mode.INSTRUCTION,),
            reply=working_days(15),
            instruction_may_set_deadline=True,
            citation=LX_CLAUSE,
            note="如有时间要求的根据批示要求办理",
        ),
        Rule(
            key="urgent",
            label="重大、紧急事项",
            urgencies=(Urgency.URGENT,),
            reply=working_days(5),
            report_any_time=True,
            citation=LX_CLAUSE,
            note="对重大、紧急事项的办理要随时反馈；时限按一般事项",
        ),
        Rule(
            key="assigned",
            label="交办事项",
            modes=(Mode.WRITTEN,),
            reply=working_days(10),
            citation=LX_CLAUSE,
            note="填写《市长热线交办单》交办的事项",
        ),
        Rule(
            key="general",
            label="一般事项",
            reply=working_days(5),
            citation=LX_CLAUSE,
            note="因情况复杂不能按时办结的，承办单位向市长热线申请延期，并向来电人说明理由",
        ),
    ),
    ladder=(
        Step(
            key="recommendation",
            label="效能监察建议",
            measure=RungMeasure.RECOMMENDATION,
            anchor=RungAnchor.DUE,
            wait=working_days(1),
            to=(Contact.UNIT_HEAD, Contact.UNIT_STAFF, Contact.SUPERVISORS),
            issuer="效能监察办公室",
            number_word="效",
            only_without_extension=True,
            citation="兰溪 实施细则 四4",
        ),
        Step(
            key="criticism",
            label="通报批评",
            measure=RungMeasure.CRITICISM,
            wait=working_days(3),
            to=(Contact.UNIT_HEAD, Contact.UNIT_STAFF, Contact.SUPERVISORS),
            min_reminders=2,
            citation="兰溪 实施细则 四4",
        ),
    ),
    # LX 四5: the hotline visits what the members completed; the numbers are the city's.
    follow_up=FollowUp(
        contact_within=working_days(1),
        visit_within=working_days(5),
        retry_after=Period(PeriodUnit.WORKING_HOURS, 4),
        max_attempts=3,
        citation="兰溪 实施细则 四5（天数为本市设定）",
    ),
)

KM_CLAUSE = "昆明 管理规定 第十三条"
KM = Policy(
    code="KM",
    name="昆明市政府便民热线工作管理规定",
    source="昆明市政府便民热线工作管理规定（2003）",
    rules=(
        Rule(
            key="urgent",
            label="情况紧急",
            urgencies=(Urgency.URGENT,),
            modes=(Mode.PHONE,),
            reply=working_days(3),
            report_any_time=True,
            citation=KM_CLAUSE,
            note="情况紧急的，要随时汇报情况",
        ),
        Rule(
            key="phone",
            label="电话交办",
            modes=(Mode.PHONE,),
            reply=working_days(3),
            citation=KM_CLAUSE,
            note="3个工作日内通过电话或书面报告办理结果，并直接答复来电人",
        ),
        Rule(
            key="written",
            label="书面交办",
            reply=working_days(7),
            citation=KM_CLAUSE,
            note="接到交办单7个工作日内书面报告办理结果；不能办结的须说明原因",
        ),
    ),
    ladder=(
        Step(
            key="criticism",
            label="通报批评",
            measure=RungMeasure.CRITICISM,
            anchor=RungAnchor.DUE,
            wait=working_days(1),
            to=(Contact.UNIT_HEAD, Contact.UNIT_STAFF, Contact.SUPERVISORS),
            min_reminders=2,
            citation="昆明 管理规定 第十七条",
        ),
    ),
    follow_up=FollowUp(citation="昆明 管理规定 第十五条（天数为本市设定）"),
)

ZS = Policy(
    code="ZS",
    name="中山市接诉即办工作办法",
    source="中山市接诉即办工作办法（2024，市政府令第24号）",
    clock=ClockPolicy(
        on_return_approved=ClockStart.RESTART,
        on_return_refused=ClockStart.FIRST_RECEIPT,
        on_completion_refused=ClockStart.FIRST_RECEIPT,
        review_time_counted=False,
        citation="中山 第十七条、第二十二条",
    ),
    rules=(
        Rule(
            key="catalog",
            label="按派单目录",
            reply=Period(PeriodUnit.CATALOG),
            citation="中山 第十五条",
            note="按照派单目录确定办理期限；工单上注明办理期限。延期须说明理由（第十八条）",
        ),
    ),
    # ZS 20(一): contact the citizen promptly; ZS 23: visit by phone, SMS or web.
    follow_up=FollowUp(
        contact_within=Period(PeriodUnit.WORKING_HOURS, 4),
        visit_within=working_days(3),
        retry_after=Period(PeriodUnit.WORKING_HOURS, 2),
        max_attempts=3,
        citation="中山 第二十条(一)、第二十三条（时数为本市设定）",
    ),
)

SR_CLAUSE = "上饶 管理办法 三(三)2"
SR = Policy(
    code="SR",
    name="上饶市长热线管理办法",
    source="上饶市长热线管理办法",
    parameters=(
        Parameter("consult_days", "咨询类办结时限（工作日）"),
        Parameter("complaint_days", "投诉、求助类办结时限（工作日）"),
        Parameter("complex_max_days", "复杂问题最长时限（工作日）"),
    ),
    rules=(
        Rule(
            key="consult",
            label="一般咨询类",
            kinds=(K.CONSULT,),
            reply=Period(PeriodUnit.WORKING_DAYS, parameter="consult_days"),
            extension_max=Period(PeriodUnit.WORKING_DAYS, parameter="complex_max_days"),
            citation=SR_CLAUSE,
            note="原文时限为空白 [X]，由本市填写",
        ),
        Rule(
            key="complaint",
            label="投诉、求助类",
            kinds=(K.COMPLAINT, K.HELP),
            reply=Period(PeriodUnit.WORKING_DAYS, parameter="complaint_days"),
            extension_max=Period(PeriodUnit.WORKING_DAYS, parameter="complex_max_days"),
            citation=SR_CLAUSE,
            note="复杂问题可适当延长，但最长不超过 [X] 个工作日",
        ),
        Rule(
            key="other",
            label="其他（举报、建议）",
            reply=Period(PeriodUnit.WORKING_DAYS, parameter="complaint_days"),
            extension_max=Period(PeriodUnit.WORKING_DAYS, parameter="complex_max_days"),
            citation="",
            note="原文未单列，本预设按投诉、求助类处理",
        ),
    ),
)

PRESETS: dict[str, Policy] = {p.code: p for p in (KJ, LX, KM, ZS, SR)}
