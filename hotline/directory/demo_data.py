"""The demo city's topic tree (诉求分类, R-IN-3) and dispatch catalog (派单目录, R-HM-9).

Written for 青溪市, not copied from any standard: eight level-1 classes of typical 12345
matters, and catalog items that map them to the demo units of `hotline.site.demo`.
Deterministic and idempotent: topics are matched by code, catalog versions by code and
start date. `build_demo_catalog()` is called from `build_demo_city()`.
"""

from __future__ import annotations

from datetime import date

from hotline.directory.models import CatalogItem, Topic, Unit
from hotline.directory.services import close_superseded

# (code, name, children): codes have two digits per level, as the DB44/T 2479 scheme.
TopicTree = tuple[tuple[str, str, tuple], ...]
TOPICS: TopicTree = (
    ("01", "城乡建设", (
        ("0101", "住房", (
            ("010101", "物业管理", ()),
            ("010102", "房屋质量", ()),
            ("010103", "房产交易", ()),
        )),
        ("0102", "市政", (
            ("010201", "道路维修", ()),
            ("010202", "路灯照明", ()),
            ("010203", "排水防涝", ()),
        )),
        ("0103", "城市管理", (
            ("010301", "占道经营", ()),
            ("010302", "违法建设", ()),
            ("010303", "环境卫生", ()),
        )),
        ("0104", "水电气讯", (
            ("010401", "供水", ()),
            ("010402", "供电", ()),
            ("010403", "燃气", ()),
            ("010404", "通信网络", ()),
        )),
        ("0105", "国土规划", (
            ("010501", "违法用地", ()),
            ("010502", "不动产登记", ()),
        )),
        ("0106", "水利", (("010601", "河道管理", ()),)),
    )),
    ("02", "环境保护", (
        ("0201", "噪音污染", (
            ("020101", "施工噪音", ()),
            ("020102", "工业噪音", ()),
        )),
        ("0202", "大气污染", (
            ("020201", "餐饮油烟", ()),
            ("020202", "工业废气", ()),
            ("020203", "露天焚烧", ()),
        )),
        ("0203", "水污染", (("020301", "河道污染", ()),)),
    )),
    ("03", "劳动和社会保障", (
        ("0301", "劳动纠纷", (
            ("030101", "欠薪", ()),
            ("030102", "劳动合同", ()),
        )),
        ("0302", "社会保险", (("030201", "养老保险", ()),)),
    )),
    ("04", "交通运输", (
        ("0401", "公交", (("040101", "线路与站点", ()),)),
        ("0402", "出租汽车", (("040201", "出租车服务", ()),)),
        ("0403", "农村公路", ()),
    )),
    ("05", "市场监管", (
        ("0501", "消费维权", (
            ("050101", "商品质量", ()),
            ("050102", "预付卡消费", ()),
        )),
        ("0502", "食品安全", (("050201", "餐饮食品", ()),)),
        ("0503", "价格收费", ()),
    )),
    ("06", "教育文体", (
        ("0601", "教育", (
            ("060101", "招生入学", ()),
            ("060102", "校外培训", ()),
        )),
        ("0602", "文化体育", (("060201", "公共文体设施", ()),)),
    )),
    ("07", "卫生健康", (
        ("0701", "医疗服务", (("070101", "医疗纠纷", ()),)),
        ("0702", "公共卫生", (("070201", "疫苗接种", ()),)),
    )),
    ("08", "民政与基层治理", (
        ("0801", "社会救助", (("080101", "最低生活保障", ()),)),
        ("0802", "养老服务", (("080201", "养老机构", ()),)),
        ("0803", "基层治理", (("080301", "邻里纠纷", ()),)),
    )),
)  # fmt: skip

DEMO_FROM = date(2024, 1, 1)


# (code, matter, keywords, topic, legal basis, unit, working days, internal office, from)
CatalogRow = tuple[str, str, str, str, str, str, int, str, date]
CATALOG: tuple[CatalogRow, ...] = (
    ("PD-001", "物业服务纠纷", "物业、物业公司、物业费、电梯、小区公共设施、业主委员会",
     "010101", "《物业管理条例》", "QX-ZJJ", 10, "", DEMO_FROM),
    ("PD-002", "新建商品房质量问题", "房屋质量、漏水、渗水、墙体开裂、交房",
     "010102", "《建设工程质量管理条例》", "QX-ZJJ", 15, "", DEMO_FROM),
    ("PD-003", "商品房预售与交易", "预售、网签、开发商、购房合同、延期交房",
     "010103", "《城市房地产开发经营管理条例》", "QX-ZJJ", 10, "", DEMO_FROM),
    ("PD-004", "市政道路破损", "道路破损、路面、坑洼、井盖、人行道",
     "010201", "《城市道路管理条例》", "QX-ZJJ", 5, "", DEMO_FROM),
    ("PD-005", "路灯不亮", "路灯、照明、灯不亮",
     "010202", "《城市道路管理条例》", "QX-CGJ", 3, "", DEMO_FROM),
    ("PD-006", "排水不畅与积水", "下水道、积水、排水、堵塞、内涝",
     "010203", "《城镇排水与污水处理条例》", "QX-ZJJ", 5, "", DEMO_FROM),
    ("PD-007", "占道经营", "占道、摆摊、流动摊贩、夜市",
     "010301", "《城市市容和环境卫生管理条例》", "QX-CGJ", 5, "", DEMO_FROM),
    ("PD-008", "违法建设", "违建、违章建筑、私搭乱建、加建",
     "010302", "《中华人民共和国城乡规划法》", "QX-CGJ", 15, "", DEMO_FROM),
    ("PD-009", "生活垃圾清运", "垃圾、清运、垃圾桶、环卫",
     "010303", "《城市市容和环境卫生管理条例》", "QX-CGJ", 3, "", DEMO_FROM),
    ("PD-010", "供水问题", "停水、水压、水质、自来水、水表",
     "010401", "《城市供水条例》", "QX-SW", 3, "", DEMO_FROM),
    ("PD-011", "供电问题", "停电、电压、电表、供电",
     "010402", "《电力供应与使用条例》", "QX-GD", 3, "", DEMO_FROM),
    ("PD-012", "燃气问题", "燃气、天然气、煤气、漏气、燃气费",
     "010403", "《城镇燃气管理条例》", "QX-RQ", 3, "", DEMO_FROM),
    ("PD-013", "通信网络问题", "宽带、手机信号、网络、电信",
     "010404", "《中华人民共和国电信条例》", "QX-DX", 5, "", DEMO_FROM),
    ("PD-014", "违法占用土地", "违法用地、占用耕地、乱占地",
     "010501", "《中华人民共和国土地管理法》", "QX-ZRJ", 15, "", DEMO_FROM),
    ("PD-015", "不动产登记", "不动产、房产证、产权证、登记",
     "010502", "《不动产登记暂行条例》", "QX-ZRJ", 10, "", DEMO_FROM),
    ("PD-016", "河道管理", "河道、堤防、采砂、河岸",
     "010601", "《中华人民共和国河道管理条例》", "QX-SLJ", 10, "", DEMO_FROM),
    ("PD-017", "建筑施工噪音", "施工噪音、夜间施工、工地、噪音",
     "020101", "《中华人民共和国噪声污染防治法》", "QX-ZJJ", 5, "", DEMO_FROM),
    ("PD-018", "工业噪音", "工厂噪音、机器噪音、噪音",
     "020102", "《中华人民共和国噪声污染防治法》", "QX-HBJ", 7, "", DEMO_FROM),
    ("PD-019", "餐饮油烟", "油烟、排烟、饭店、餐馆",
     "020201", "《中华人民共和国大气污染防治法》", "QX-CGJ", 7, "", DEMO_FROM),
    ("PD-020", "工业废气", "废气、异味、臭味、烟囱",
     "020202", "《中华人民共和国大气污染防治法》", "QX-HBJ", 10, "", DEMO_FROM),
    ("PD-021", "河道水污染", "污水、排污、水污染、河水发臭",
     "020301", "《中华人民共和国水污染防治法》", "QX-HBJ", 10, "", DEMO_FROM),
    ("PD-022", "拖欠工资", "欠薪、拖欠工资、讨薪、工资",
     "030101", "《保障农民工工资支付条例》", "QX-RSJ", 10, "", date(2023, 1, 1)),
    # A second version of PD-022: the deadline was shortened on 2024-07-01.
    ("PD-022", "拖欠工资", "欠薪、拖欠工资、讨薪、工资、农民工",
     "030101", "《保障农民工工资支付条例》", "QX-RSJ", 5, "", date(2024, 7, 1)),
    ("PD-023", "劳动合同纠纷", "劳动合同、辞退、加班、经济补偿",
     "030102", "《中华人民共和国劳动合同法》", "QX-RSJ", 10, "", DEMO_FROM),
    ("PD-024", "养老保险", "养老保险、退休、社保、养老金",
     "030201", "《中华人民共和国社会保险法》", "QX-RSJ", 10, "", DEMO_FROM),
    ("PD-025", "公交线路与站点", "公交、公交车、公交站、线路、班次",
     "040101", "《城市公共交通条例》", "QX-JTJ", 10, "", DEMO_FROM),
    ("PD-026", "出租车服务", "出租车、的士、网约车、拒载、绕路",
     "040201", "《巡游出租汽车经营服务管理规定》", "QX-JTJ", 5, "", DEMO_FROM),
    ("PD-027", "商品质量投诉", "质量问题、假冒、退货、商品质量",
     "050101", "《中华人民共和国产品质量法》", "QX-SJJ", 7, "", DEMO_FROM),
    ("PD-028", "预付卡消费纠纷", "预付卡、会员卡、办卡、退费、跑路",
     "050102", "《中华人民共和国消费者权益保护法》", "QX-SJJ", 7, "", DEMO_FROM),
    ("PD-029", "餐饮食品安全", "食品安全、过期、变质、食物中毒",
     "050201", "《中华人民共和国食品安全法》", "QX-SJJ", 5, "", DEMO_FROM),
    ("PD-030", "招生入学", "入学、招生、学位、学区",
     "060101", "《中华人民共和国义务教育法》", "QX-JYJ", 10, "", DEMO_FROM),
    ("PD-031", "校外培训", "培训机构、补课、校外培训",
     "060102", "《中华人民共和国民办教育促进法》", "QX-JYJ", 10, "", DEMO_FROM),
    ("PD-032", "医疗服务纠纷", "医院、医生、医疗纠纷、看病",
     "070101", "《医疗纠纷预防和处理条例》", "QX-WJJ", 10, "", DEMO_FROM),
    ("PD-033", "疫苗接种", "疫苗、接种、打针",
     "070201", "《中华人民共和国疫苗管理法》", "QX-WJJ", 5, "", DEMO_FROM),
    ("PD-034", "最低生活保障", "低保、困难家庭、救助",
     "080101", "《社会救助暂行办法》", "QX-MZJ", 10, "", DEMO_FROM),
    ("PD-035", "养老机构", "养老院、养老机构",
     "080201", "《养老机构管理办法》", "QX-MZJ", 10, "", DEMO_FROM),
    # Matters of a town or street: the catalog names the suggested internal office.
    ("PD-101", "城东街道老旧小区环境卫生", "老旧小区、楼道杂物、楼道",
     "010303", "《城市市容和环境卫生管理条例》", "QX-CD", 5, "城市管理办公室", DEMO_FROM),
    ("PD-102", "城西街道邻里纠纷调解", "邻里纠纷、邻居、调解",
     "080301", "《中华人民共和国人民调解法》", "QX-CX", 5, "平安建设办公室", DEMO_FROM),
    ("PD-103", "江滨街道居家养老服务", "居家养老、老年人、助餐",
     "080201", "《中华人民共和国老年人权益保障法》", "QX-JB", 10, "社会事务办公室", DEMO_FROM),
    ("PD-104", "白沙镇农村建房", "农村建房、宅基地、自建房",
     "010501", "《中华人民共和国土地管理法》", "QX-BS", 10, "规划建设办公室", DEMO_FROM),
    ("PD-105", "石桥镇村道维修", "村道、乡村公路、村路",
     "0403", "《中华人民共和国公路法》", "QX-SQ", 10, "农业农村办公室", DEMO_FROM),
    ("PD-106", "梅岭镇秸秆和垃圾露天焚烧", "焚烧、烧秸秆、烧垃圾、烟雾",
     "020203", "《中华人民共和国大气污染防治法》", "QX-ML", 3, "生态环境办公室", DEMO_FROM),
)  # fmt: skip


def _walk(tree: TopicTree, parent: Topic | None, level: int, order: list[int]) -> None:
    for code, name, children in tree:
        order[0] += 1
        topic, _created = Topic.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": parent,
                "level": level,
                "active": True,
                "sort_order": order[0],
            },
        )
        _walk(children, topic, level + 1, order)


def build_demo_catalog() -> None:
    """Install the demo topic tree and catalog; run inside `build_demo_city`'s transaction."""
    _walk(TOPICS, None, 1, [0])
    topics = {t.code: t for t in Topic.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    items: list[CatalogItem] = []
    for code, matter, keywords, topic, basis, unit, days, office, start in CATALOG:
        item, _created = CatalogItem.objects.update_or_create(
            code=code,
            effective_from=start,
            defaults={
                "matter": matter,
                "keywords": keywords,
                "topic": topics[topic],
                "legal_basis": basis,
                "unit": units[unit],
                "deadline_days": days,
                "internal_office": office,
                "effective_to": None,
                "active": True,
            },
        )
        items.append(item)
    for item in close_superseded(items):
        item.save(update_fields=["effective_to"])
