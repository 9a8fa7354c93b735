"""The demo city's knowledge base: policies, answers, scripts, service guides and works
notices written for the fictional 青溪市 (not copied from any real city's base), so the
intake search shows something. Idempotent: entries are matched by owner and title.
Dates are relative to today, so a release and a works notice are always near.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core import clock
from hotline.directory.models import Topic, Unit
from hotline.knowledge import services
from hotline.knowledge.models import Entry, EntryVersion, Kind

Q, P, S, G = Kind.QA, Kind.POLICY, Kind.SCRIPT, Kind.SERVICE

# (kind, owner, topic code, title, keywords, answer)
ENTRIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        Q,
        "QX-ZJJ",
        "0101",
        "住房公积金提取条件和办理材料",
        "公积金、提取、购房、租房",
        "职工购买、建造、翻建、大修自住住房，或租房自住且连续足额缴存满3个月的，可申请提取住房公积金。"
        "办理时携带本人身份证、银行卡及购房合同或租房证明，到市民中心二楼公积金窗口或通过“青溪公积金”小程序办理，"
        "材料齐全的当场办结。",
    ),
    (
        Q,
        "QX-ZJJ",
        "010101",
        "物业费收费标准与物业服务投诉",
        "物业费、物业服务、收费标准、业委会",
        "普通住宅前期物业服务收费实行政府指导价，一级服务每月每平方米不超过1.2元，具体以合同约定为准。"
        "对物业服务质量不满意的，可先向小区业委会反映；"
        "物业公司未履行合同的，可向市物业管理服务中心投诉，电话 0570-8813798。",
    ),
    (
        Q,
        "QX-ZJJ",
        "010101",
        "小区电梯故障维修责任",
        "电梯、维修、物业、困人",
        "住宅电梯由物业服务企业负责日常维护，维修资金按业主大会决定从专项维修资金中列支。电梯困人请立即拨打电梯内应急电话或110；"
        "电梯长期停运的，可向市物业管理服务中心反映。",
    ),
    (
        Q,
        "QX-ZJJ",
        "010103",
        "二手房交易网签和资金监管",
        "二手房、网签、资金监管、过户",
        "二手房买卖双方在中介或市不动产交易中心办理网签，交易资金可存入监管账户，办理不动产转移登记后划转给卖方。"
        "交易中心地址：青溪大道88号市民中心一楼，工作日办理。",
    ),
    (
        Q,
        "QX-CGJ",
        "010301",
        "流动摊贩和占道经营的管理",
        "占道经营、摆摊、流动摊贩、夜市",
        "主次干道和学校、医院周边禁止占道经营。市区设有滨江夜市、东门便民市场等疏导点，摊主可向所在街道申请摊位。"
        "发现占道经营影响通行的，热线将转城市管理执法部门处理。",
    ),
    (
        Q,
        "QX-CGJ",
        "010302",
        "违法建设的认定和举报",
        "违建、违章建筑、违法建设、搭建",
        "未取得建设工程规划许可证或者未按许可内容建设的建筑物属于违法建设。举报时请说明具体地址、搭建时间和规模，"
        "执法部门将在5个工作日内现场核查，查实后依法责令限期拆除。",
    ),
    (
        Q,
        "QX-CGJ",
        "010303",
        "生活垃圾分类投放时间",
        "垃圾分类、投放时间、厨余垃圾、垃圾",
        "青溪市居民小区实行定时定点投放：早上7:00—9:00、晚上18:00—20:00投放厨余垃圾，其他垃圾可全天投放至小区集中投放点。"
        "大件垃圾请预约物业或拨打环卫预约电话 0570-8810262 上门收运。",
    ),
    (
        Q,
        "QX-SJJ",
        "050102",
        "预付卡消费退款",
        "预付卡、办卡、退款、跑路、健身卡",
        "商家停业或不能履行约定服务的，消费者有权要求退还预付款余额。请保留办卡合同、付款凭证和消费记录，"
        "先与商家协商；协商不成的，可通过全国12315平台投诉，或向商家所在地市场监管所申请调解。",
    ),
    (
        Q,
        "QX-SJJ",
        "050201",
        "餐饮食品安全投诉",
        "食品安全、过期食品、变质、外卖、餐馆",
        "发现餐馆或外卖食品变质、过期或吃后身体不适的，请保存剩余食品、购买凭证并及时就医留存病历。"
        "热线受理后转市场监管部门调查，查实的依法处罚，并依法告知处理结果。",
    ),
    (
        Q,
        "QX-SJJ",
        "0503",
        "商品价格标示和乱收费",
        "价格、明码标价、乱收费、多收钱",
        "经营者应当明码标价，不得在标价之外加价出售商品或收取未予标明的费用。遇到价格欺诈或乱收费的，请保留小票和照片，"
        "热线将转市场监管部门依法查处。",
    ),
    (
        Q,
        "QX-RSJ",
        "030101",
        "拖欠工资怎么维权",
        "拖欠工资、欠薪、讨薪、劳动监察",
        "用人单位拖欠工资的，劳动者可向市劳动保障监察大队投诉，需提供身份证、劳动合同或工资条、考勤记录等证据。"
        "农民工欠薪可拨打12345或劳动监察专线 0570-8812355，监察部门5个工作日内受理核查。",
    ),
    (
        Q,
        "QX-RSJ",
        "030201",
        "灵活就业人员参加养老保险",
        "养老保险、灵活就业、社保、缴费基数",
        "具有本市户籍或在本市居住的灵活就业人员，可在“青溪人社”小程序或市民中心社保窗口办理城镇职工养老保险参保登记，"
        "缴费基数可在全省上年度平均工资的60%至300%之间自选，按月或按年缴费。",
    ),
    (
        Q,
        "QX-RSJ",
        "030102",
        "签订劳动合同和试用期",
        "劳动合同、试用期、辞退、经济补偿",
        "用人单位自用工之日起一个月内应订立书面劳动合同；未订立的，自第二个月起应支付二倍工资。"
        "合同期限三个月以上不满一年的，试用期不得超过一个月。对劳动关系有争议的，可向市劳动人事争议仲裁院申请仲裁。",
    ),
    (
        Q,
        "QX-JYJ",
        "060101",
        "小学一年级招生报名",
        "入学、招生、报名、学位、一年级",
        "2025年秋季小学一年级报名对象为2018年9月1日至2019年8月31日出生的适龄儿童。"
        "报名时间为6月10日至6月20日，通过“青溪教育”公众号网上报名，按户籍和房产所在学区划片入学，6月30日前公布结果。",
    ),
    (
        Q,
        "QX-JYJ",
        "060102",
        "校外培训机构退费和资质查询",
        "校外培训、退费、培训机构、资质",
        "学科类校外培训须取得办学许可证，预收费进入资金监管账户，单次收费不超过3个月或60课时。"
        "机构资质可在“全国校外教育培训监管与服务平台”查询；退费纠纷可向市教育局校外培训管理科反映。",
    ),
    (
        Q,
        "QX-WJJ",
        "070201",
        "儿童疫苗接种预约",
        "疫苗、接种、预约、预防接种、儿童",
        "儿童免疫规划疫苗免费接种，请携带预防接种证到居住地所属社区卫生服务中心接种，可通过“青溪健康”公众号提前预约。"
        "各接种门诊工作日上午8:00—11:30开放，节假日安排另行公告。",
    ),
    (
        Q,
        "QX-WJJ",
        "070101",
        "医疗纠纷的处理途径",
        "医疗纠纷、医患、赔偿、医院",
        "发生医疗纠纷的，患者可与医院医患关系办公室协商，也可申请市医疗纠纷人民调解委员会免费调解，或依法提起诉讼。"
        "需要封存病历的，请当场要求医院在双方在场时封存。",
    ),
    (
        Q,
        "QX-JTJ",
        "040101",
        "公交线路调整和站点设置建议",
        "公交、公交车、线路、站点、班次",
        "公交线路和站点的调整建议由市交通运输局汇总研究，每年两次集中评估。"
        "可提出具体线路、站点和乘车时段，热线将转交通运输部门研究并答复。实时到站可查询“青溪公交”小程序。",
    ),
    (
        Q,
        "QX-JTJ",
        "040201",
        "出租车拒载和多收费投诉",
        "出租车、拒载、绕路、多收费、的士",
        "投诉出租车请提供车牌号、乘车时间、上下车地点，最好保留发票。交通运输部门核实后将依法处理，"
        "处理结果在15个工作日内答复。遗失物品请联系出租车服务中心 0570-8811441。",
    ),
    (
        Q,
        "QX-HBJ",
        "020201",
        "餐饮油烟扰民",
        "油烟、餐饮油烟、饭店、排烟",
        "餐饮服务单位应安装油烟净化设施并正常使用，不得在居民住宅楼内新建产生油烟的餐饮项目。"
        "反映时请说明店名和地址、油烟排放时段，热线将转生态环境和城市管理部门核查。",
    ),
    (
        Q,
        "QX-HBJ",
        "020101",
        "夜间施工噪音",
        "施工噪音、夜间施工、噪音、噪声、扰民",
        "晚上22:00至次日6:00禁止产生噪声的建筑施工作业，因连续作业确需夜间施工的，须取得夜间施工证明并公告附近居民。"
        "正在发生的夜间施工噪音可拨打12345，热线将通知执法部门到场处置。",
    ),
    (
        Q,
        "QX-MZJ",
        "080101",
        "最低生活保障申请",
        "低保、最低生活保障、救助、困难家庭",
        "家庭人均收入低于青溪市低保标准（每人每月860元）且财产状况符合规定的，可向户籍所在地街道办事处或镇政府提出申请，"
        "需提供户口簿、身份证、收入证明等材料，审核审批在30个工作日内完成。",
    ),
    (
        Q,
        "QX-MZJ",
        "080201",
        "居家养老服务补贴",
        "养老、居家养老、补贴、老年人",
        "80周岁以上低保、特困老年人可申请居家养老服务补贴，每人每月200元，以服务券形式发放。"
        "请向所在社区居委会或村委会申请。",
    ),
    (
        Q,
        "QX-ZRJ",
        "010502",
        "不动产登记办理时限",
        "不动产登记、房产证、过户、抵押",
        "一般不动产登记5个工作日内办结，抵押登记2个工作日内办结。办理地点为市民中心一楼不动产登记窗口，"
        "可通过“青溪不动产”小程序预约。",
    ),
    (
        Q,
        "QX-GAJ",
        "",
        "居民身份证办理和补领",
        "身份证、补办、居民身份证、户籍",
        "居民身份证可在任一派出所户籍窗口办理，补领需本人到场并携带户口簿，收费20元，15个工作日内制证。"
        "急需使用的可同时申请临时身份证，当天发放。",
    ),
    (
        P,
        "QX-RSJ",
        "030201",
        "青溪市城乡居民基本养老保险缴费档次调整解读",
        "养老保险、缴费档次、城乡居民、社保",
        "自下月1日起，青溪市城乡居民基本养老保险个人缴费档次调整为每年300元至5000元共十二档，政府补贴相应提高。"
        "已按原档次缴费的无需补缴差额。正式文件以市人社局公布为准。",
    ),
    (
        P,
        "QX-ZJJ",
        "0101",
        "青溪市老旧小区加装电梯补助办法解读",
        "加装电梯、老旧小区、补助、电梯",
        "2000年以前建成、四层及以上无电梯的住宅可申请加装电梯，经业主同意后由街道组织审查，"
        "财政按每台20万元给予补助。申请材料和流程以正式文件为准。",
    ),
    (
        S,
        "QX-YJJ",
        "",
        "防汛防台风期间来电应答口径",
        "台风、暴雨、防汛、积水、内涝",
        "目前我市已启动防汛四级应急响应。请市民减少外出，远离河道、低洼地带和临时建筑。"
        "发现道路积水、树木倒伏、险情的，请说明具体位置，热线将立即转应急和城管部门处置；遇紧急危险请拨打110或119。",
    ),
    (
        S,
        "QX-WJJ",
        "",
        "流感高发季就医应答口径",
        "流感、发热、发烧、门诊、就医",
        "当前为流感高发季节，发热患者可到各医院发热门诊或社区卫生服务中心就诊，儿童发热可到市人民医院儿科。"
        "请佩戴口罩，老人和儿童可预约接种流感疫苗。",
    ),
    (
        G,
        "QX-ZJJ",
        "",
        "市住房和城乡建设局办事指南",
        "住建局、办事、咨询电话、服务时间",
        "市住房和城乡建设局负责房屋建筑、物业管理、住房保障等事项。对外服务地点：青溪大道88号市民中心住建窗口。",
    ),
    (
        G,
        "QX-SW",
        "010401",
        "青溪市供水有限公司服务指南",
        "供水、自来水、水费、水压、报装",
        "供水报装、水费缴纳、水表故障、水压不足等，请联系供水公司24小时服务热线，抢修人员接报后1小时内到场。",
    ),
    (
        G,
        "QX-GD",
        "010402",
        "国网青溪市供电公司服务指南",
        "供电、停电、电费、报修",
        "电力故障报修、电费缴纳和用电报装，请拨打供电服务热线，城区故障抢修45分钟内到达现场。",
    ),
    (
        G,
        "QX-RQ",
        "010403",
        "青溪市燃气有限公司服务指南",
        "燃气、天然气、煤气、漏气、开户",
        "燃气开户、缴费、安检和维修，请联系燃气公司24小时服务热线；闻到燃气泄漏请立即关闭阀门、开窗通风，不要开关电器，到室外拨打电话。",
    ),
    (
        G,
        "QX-JYJ",
        "0601",
        "市教育局办事指南",
        "教育局、咨询、招生、学籍",
        "市教育局负责招生入学、学籍管理、校外培训监管等事项，对外服务地点：文昌路16号。",
    ),
)

# (owner, kind, region code, places, start day offset, start hour, hours, title, answer)
WORKS = (
    (
        "QX-SW",
        "water",
        "QX-JB",
        "滨江路、江滨花园、滨江社区",
        0,
        8,
        36,
        "江滨街道滨江路片区计划停水",
        "因供水管网改造，今日08:00至明日20:00滨江路、江滨花园一带停水，恢复供水初期水质可能浑浊，放水片刻即可。请提前储水。",
    ),
    (
        "QX-GD",
        "power",
        "QX-BS",
        "白沙村、下坪村、白沙中学",
        1,
        8,
        10,
        "白沙镇部分区域计划停电",
        "因线路检修，明日08:00—18:00白沙镇白沙村、下坪村一带停电，请提前做好准备，检修完毕将提前恢复送电。",
    ),
    (
        "QX-RQ",
        "gas",
        "QX-CD",
        "东门路、新华小区",
        3,
        9,
        6,
        "城东街道东门路燃气管道改造停气",
        "因燃气管道改造，东门路、新华小区一带将暂停供气，恢复供气时请检查灶具，如有异常拨打燃气公司热线。",
    ),
)


WORKS_WORDS = {"water": "停水、供水", "power": "停电、供电", "gas": "停气、燃气", "telecom": "断网"}


@transaction.atomic
def build_demo_knowledge() -> int:
    """Create the demo entries that are missing, published; returns how many were made."""
    admin = User.objects.filter(username="supervisor1").first()
    if admin is None:
        return 0
    units = {u.code: u for u in Unit.objects.all()}
    topics = {t.code: t for t in Topic.objects.all()}
    today = timezone.localdate(clock.now())
    existing = set(
        EntryVersion.objects.filter(pk__in=Entry.objects.values("latest_version_id")).values_list(
            "entry__owner__code", "title"
        )
    )
    made = 0
    for index, (kind, owner, topic, title, keywords, answer) in enumerate(ENTRIES):
        if (owner, title) in existing or owner not in units:
            continue
        release = today + timedelta(days=7) if kind == P and index % 2 == 0 else None
        content = services.Content(
            title=title,
            answer=answer,
            keywords=keywords,
            topic=topics.get(topic),
            effective=today - timedelta(days=60),
            review_by=today - timedelta(days=3) if index % 11 == 5 else today + timedelta(days=300),
            release_on=release,
            public_phone=units[owner].public_phone if kind == G else "",
            service_hours=units[owner].service_hours if kind == G else "",
            body=f"<p>{answer}</p><p>责任单位：{units[owner].name}</p>",
        )
        if kind == S:
            services.script_publish_emergency(actor=admin, owner=units[owner], content=content)
        else:
            entry = services.entry_create(
                actor=admin, kind=kind, owner=units[owner], content=content, submit=True
            )
            services.entry_approve(actor=admin, entry=entry)
        made += 1
    for owner, works_kind, region, places, day, hour, hours, title, answer in WORKS:
        if (owner, title) in existing or owner not in units:
            continue
        start = timezone.make_aware(datetime.combine(today + timedelta(days=day), time(hour)))
        content = services.Content(
            title=title,
            answer=answer,
            keywords=WORKS_WORDS[works_kind],
            effective=today,
            expires=(start + timedelta(hours=hours)).date() + timedelta(days=1),
            works_kind=works_kind,
            works_region=units.get(region),
            works_places=places,
            works_start=start,
            works_end=start + timedelta(hours=hours),
        )
        entry = services.entry_create(
            actor=admin, kind=Kind.WORKS, owner=units[owner], content=content, submit=True
        )
        services.entry_approve(actor=admin, entry=entry)
        made += 1
    return made
